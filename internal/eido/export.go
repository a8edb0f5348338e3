package eido

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Export writes inc, with its log oldest first, as an EIDO document sent by
// agency, in indented JSON. fs gives the force's radio codes for unit
// statuses (nil means the defaults). inc must be a saved incident, as
// FindIncidentByID returns it (number, global id, assignments).
//
// Export checks its own output against the schema, formats included; an
// error from Export is a bug or a misconfigured agency, never the caller's
// input, and has KindInternal. Whoever may share the incident with the
// receiving agency may call it: the document carries the incident log as
// notes, but adds no caller details, THRIVE assessment or crew.
func Export(inc *bluelamp.Incident, log []*bluelamp.LogEntry, fs *bluelamp.ForceSettings, agency Agency) ([]byte, error) {
	if inc == nil || inc.GlobalID == "" || inc.Number == "" {
		return nil, errors.New("export EIDO: the incident has no number or global id; export a saved incident")
	}
	if !domainPattern.MatchString(agency.Domain) {
		return nil, fmt.Errorf("export EIDO %s: agency domain %q is not a domain name", inc.Number, agency.Domain)
	}
	if _, ok := incidentTypes[inc.Category]; !ok {
		return nil, fmt.Errorf("export EIDO %s: unknown category %q", inc.Number, inc.Category)
	}
	if _, ok := priorities[inc.Grade]; !ok {
		return nil, fmt.Errorf("export EIDO %s: unknown grade %q", inc.Number, inc.Grade)
	}
	if fs == nil {
		fs = bluelamp.DefaultForceSettings()
	}
	x := &exporter{inc: inc, fs: fs, domain: strings.ToLower(agency.Domain), key: identifierKey(inc.GlobalID),
		agentIDs: map[string]string{}, agentRoles: map[string][]string{}}
	doc := x.document(agency, slices.DeleteFunc(slices.Clone(log), func(e *bluelamp.LogEntry) bool { return e == nil }))
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // notes and locations are HTML and XML; keep them legible
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("export EIDO %s: %w", inc.Number, err)
	}
	if err := validateOwn(b.Bytes()); err != nil {
		return nil, fmt.Errorf("export EIDO %s: %w", inc.Number, err)
	}
	return b.Bytes(), nil
}

var domainPattern = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// identifierKey is the unique part of the incident's identifiers: its
// global id as letters and digits only (a UUID gives 32 hex digits, which
// NENA-STA-010's incident tracking identifier allows).
func identifierKey(globalID string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(globalID) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "0"
	}
	return b.String()
}

// TrackingID returns the EIDO Incident Tracking Identifier Export gives an
// incident with globalID sent by an agency with domain, e.g.
// "urn:emergency:uid:incidentid:0190…:wessex.police.uk".
func TrackingID(globalID, domain string) string {
	return incidentIDURN + identifierKey(globalID) + ":" + strings.ToLower(domain)
}

type exporter struct {
	inc    *bluelamp.Incident
	fs     *bluelamp.ForceSettings
	domain string
	key    string

	agentOrder []string            // actors in order of first mention
	agentIDs   map[string]string   // actor → agent identifier
	agentRoles map[string][]string // actor → agent roles
}

func (x *exporter) component(kind string) string {
	return dataComponentURN + kind + x.key + ":" + x.domain
}

func (x *exporter) prologue(id string, at time.Time, actor string) prologue {
	p := prologue{ID: id, LastUpdate: timestamp(at), UpdatedByAgency: reference{x.domain}}
	if actor != "" {
		p.UpdatedByAgent = x.agentRef(actor, "")
	}
	return p
}

var (
	agentNameUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	unitLocal       = regexp.MustCompile(`^unit[0-9]+$`)
)

// agentRef returns a reference to the agent for actor, giving it role.
func (x *exporter) agentRef(actor, role string) *reference {
	if actor == "" {
		actor = "unknown"
	}
	id, ok := x.agentIDs[actor]
	if !ok {
		local := strings.Trim(agentNameUnsafe.ReplaceAllString(actor, "-"), "-.")
		switch {
		case local == "":
			local = "agent"
		case unitLocal.MatchString(local): // unit identifiers are "unit<id>@domain"
			local = "agent-" + local
		}
		id = local + "@" + x.domain
		for n := 2; slices.Contains(x.idsInUse(), id); n++ {
			id = local + "-" + strconv.Itoa(n) + "@" + x.domain
		}
		x.agentIDs[actor] = id
		x.agentOrder = append(x.agentOrder, actor)
	}
	if role != "" && !slices.Contains(x.agentRoles[actor], role) {
		x.agentRoles[actor] = append(x.agentRoles[actor], role)
	}
	return &reference{id}
}

func (x *exporter) idsInUse() []string {
	ids := make([]string, 0, len(x.agentIDs))
	for _, id := range x.agentIDs {
		ids = append(ids, id)
	}
	return ids
}

func (x *exporter) document(a Agency, log []*bluelamp.LogEntry) *document {
	inc := x.inc
	updated := x.incidentUpdated()
	for _, e := range log {
		updated = later(updated, e.Time)
	}
	doc := &document{
		EIDOVersion:    eidoVersion,
		IssuingElement: issuingElementName + "." + x.domain,
		Agencies:       []agency{x.agency(a)},
		Context:        &jsonLDContext{jsonLDVocabulary},
	}
	ic := &incidentComponent{
		prologue:         x.prologue(x.component("incident"), x.incidentUpdated(), ""),
		TypeInternalCode: string(inc.Category),
		TypeCommon:       incidentTypes[inc.Category],
		StatusInternal:   []string{string(inc.Status)},
		StatusCommon:     incidentStatuses(inc),
		InternalID:       inc.Number,
		PriorityInternal: string(inc.Grade),
		PriorityCommon:   json.Number(strconv.Itoa(priorities[inc.Grade])),
	}
	if ci, ok := inc.Category.Info(); ok {
		ic.TypeInternalText = ci.Label
	}
	if inc.Status == bluelamp.IncidentOpen && inc.Resourcing != "" {
		ic.StatusInternal = append(ic.StatusInternal, string(inc.Resourcing))
	}
	if inc.Major != nil {
		ic.StatusInternal = append(ic.StatusInternal, statusMajor)
	}
	opener := x.agentRef(inc.OpenedBy, agentCallTaking)

	if l, ok := x.location(); ok {
		doc.Locations = []location{l}
		ic.Locations = []reference{{l.ID}}
	}
	doc.Calls = []callComponent{x.call(opener, ic.Locations)}

	notes := []note{
		x.note(x.component("blsummary"), inc.OpenedAt, inc.OpenedBy, inc.Summary),
		x.note(x.component("bldetails"), x.incidentUpdated(), "", strings.Join(details(inc), "\n")),
	}
	for i, e := range log {
		role := agentDispatching
		if e.Kind == bluelamp.LogOpened || e.Kind == bluelamp.LogContact {
			role = agentCallTaking
		}
		x.agentRef(e.Actor, role)
		id := x.component("log" + strconv.Itoa(i) + "x")
		if e.ID > 0 {
			id = dataComponentURN + "log" + strconv.FormatInt(e.ID, 10) + ":" + x.domain
		}
		notes = append(notes, x.note(id, e.Time, e.Actor, e.Text))
	}
	doc.Notes = notes
	for _, n := range notes {
		ic.Notes = append(ic.Notes, reference{n.ID})
	}

	if c := inc.Closing; c != nil && inc.Status == bluelamp.IncidentClosed {
		at := inc.OpenedAt
		if inc.ClosedAt != nil {
			at = *inc.ClosedAt
		}
		x.agentRef(inc.ClosedBy, agentDispatching)
		primary := true
		ic.Dispositions = []disposition{{
			prologue: x.prologue(x.component("disposition"), at, inc.ClosedBy),
			Code:     dispositions[c.Result], Primary: &primary, Category: string(c.Result), Description: c.Note,
		}}
		if c.CrimeReference != "" {
			ic.Documents, ic.ReportNumberType = []string{c.CrimeReference}, reportNew
		}
	}
	if inc.Major != nil {
		x.agentRef(inc.Major.DeclaredBy, agentDispatching)
	}
	doc.Resources, doc.Dispatches = x.resources()

	for _, actor := range x.agentOrder {
		ic.Agents = append(ic.Agents, reference{x.agentIDs[actor]})
	}
	doc.Incident = ic
	doc.Agents = x.agents()
	doc.prologue = prologue{ID: TrackingID(inc.GlobalID, x.domain), LastUpdate: timestamp(updated), UpdatedByAgency: reference{x.domain}}
	if len(log) > 0 {
		doc.UpdatedByAgent = x.agentRef(log[len(log)-1].Actor, "")
	}
	return doc
}

// incidentUpdated is when the incident record itself last changed.
func (x *exporter) incidentUpdated() time.Time {
	inc := x.inc
	t := later(later(inc.OpenedAt, inc.ReceivedAt), inc.GradedAt)
	for _, p := range []*time.Time{inc.FirstDispatchedAt, inc.FirstArrivedAt, inc.ClosedAt} {
		if p != nil {
			t = later(t, *p)
		}
	}
	if inc.Major != nil {
		t = later(t, inc.Major.DeclaredAt)
	}
	return t
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (x *exporter) agency(a Agency) agency {
	owning := true
	roles := []string{roleCallReceiving, roleDispatching}
	if x.inc.Channel == bluelamp.ChannelOfficer || x.inc.Channel == bluelamp.ChannelPartner {
		roles = []string{roleDispatching}
	}
	name := a.Name
	if name == "" {
		name = string(a.ForceID)
	}
	return agency{
		prologue: x.prologue(x.domain, x.inc.OpenedAt, ""),
		JCard:    jCard(name, "org"),
		Roles:    roles,
		Owning:   &owning,
		Types:    []string{agencyTypePolice},
	}
}

func (x *exporter) agents() []agent {
	out := make([]agent, 0, len(x.agentOrder))
	for _, actor := range x.agentOrder {
		roles := x.agentRoles[actor]
		if len(roles) == 0 {
			roles = []string{agentDispatching}
		}
		slices.Sort(roles) // "Call Taking" before "Dispatching"
		out = append(out, agent{
			prologue: x.prologue(x.agentIDs[actor], x.inc.OpenedAt, ""),
			JCard:    jCard(actor, "individual"),
			Roles:    roles,
			Agency:   reference{x.domain},
		})
	}
	return out
}

func (x *exporter) location() (location, bool) {
	l := x.inc.Location
	if l.Address == "" && l.Position == nil {
		return location{}, false
	}
	return location{
		prologue:    x.prologue(x.component("location"), x.inc.OpenedAt, x.inc.OpenedBy),
		Type:        locationIncident,
		ByValue:     pidf("pres:"+x.key+"@"+x.domain, l),
		Description: l.Address,
	}, true
}

// call describes the first contact: when it was received and how, with the
// channel as the local call type. An incident opened with no contact still
// has one, so the time received and method of reporting travel.
func (x *exporter) call(opener *reference, locations []reference) callComponent {
	inc := x.inc
	unique := x.key
	if len(inc.Contacts) > 0 {
		unique = identifierKey(inc.Contacts[0])
	}
	primary, direction := callType(inc.Channel)
	return callComponent{
		prologue:    x.prologue(callIDURN+unique+":"+x.domain, inc.ReceivedAt, inc.OpenedBy),
		PrimaryType: primary,
		LocalType:   string(inc.Channel),
		Direction:   direction,
		Start:       timestamp(inc.ReceivedAt),
		State:       callEnded,
		Agents:      []reference{*opener},
		Locations:   locations,
	}
}

func (x *exporter) note(id string, at time.Time, actor, text string) note {
	n := note{prologue: x.prologue(id, at, actor), Comments: noteHTML(text)}
	if actor != "" {
		n.Agent = x.agentRef(actor, "")
	}
	return n
}

// resources describes each unit sent to the incident as it stands now (an
// EIDO carries current state, not history: a unit assigned twice appears
// once, with its latest assignment), and the dispatch that sent it.
func (x *exporter) resources() ([]resource, []dispatch) {
	latest := map[bluelamp.UnitID]*bluelamp.Assignment{}
	var units []bluelamp.UnitID
	for _, a := range x.inc.Assignments {
		if a == nil {
			continue
		}
		prev, ok := latest[a.UnitID]
		if !ok {
			units = append(units, a.UnitID)
		}
		if !ok || a.AssignedAt.After(prev.AssignedAt) || a.AssignedAt.Equal(prev.AssignedAt) && a.ID > prev.ID {
			latest[a.UnitID] = a
		}
	}
	var rs []resource
	var ds []dispatch
	for _, u := range units {
		a := latest[u]
		status, state := assignmentStatus(a.State)
		internal := []string{string(a.State)}
		if state != "" && a.State.Open() {
			internal = append(internal, x.fs.CodeFor(state))
		}
		updated := a.AssignedAt
		for _, p := range []*time.Time{a.EnRouteAt, a.AtSceneAt, a.EndedAt} {
			if p != nil {
				updated = later(updated, *p)
			}
		}
		id := "unit" + strconv.FormatInt(int64(a.UnitID), 10) + "@" + x.domain
		rs = append(rs, resource{
			prologue:        x.prologue(id, updated, ""),
			TypeCommon:      resourceType,
			Attributes:      []string{},
			Name:            a.CallSign,
			PrimaryStatus:   status.Primary,
			SecondaryStatus: status.Secondary,
			StatusInternal:  internal,
			Agents:          []reference{},
		})
		ds = append(ds, dispatch{
			prologue:  x.prologue(x.component("dispatch"+strconv.FormatInt(int64(a.UnitID), 10)+"x"), a.AssignedAt, a.AssignedBy),
			Agency:    &reference{x.domain},
			Agent:     x.agentRef(a.AssignedBy, agentDispatching),
			Resources: []reference{{id}},
		})
	}
	return rs, ds
}

// jCard writes a minimal RFC 7095 jCard: a formatted name and a kind.
func jCard(name, kind string) string {
	b, _ := json.Marshal([]any{"vcard", [][]any{
		{"version", map[string]any{}, "text", "4.0"},
		{"fn", map[string]any{}, "text", name},
		{"kind", map[string]any{}, "text", kind},
	}})
	return string(b)
}
