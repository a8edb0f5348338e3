package eido

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Imported is an EIDO document read as a new incident: the incident to
// open and the log lines to add after it, with what bluelamp's incident
// has no field for.
type Imported struct {
	// Incident is ready for IncidentStore.CreateIncident, which gives it
	// its number, global id and opening times; ReceivedAt is kept.
	Incident *bluelamp.Incident
	// Log is the provenance line (Kind IMPORTED, naming TrackingID, the
	// sender and their incident) followed by the document's notes oldest
	// first (Kind NOTE, with each note's own time and author). Log them
	// with AddLogEntry(NoteText(e)) after creating the incident.
	Log []*bluelamp.LogEntry

	TrackingID     string    // the document's $id: the EIDO Incident Tracking Identifier
	SenderIncident string    // the sender's own incident id; the incident number when bluelamp sent it
	Agency         string    // the sending agency's identifier, e.g. "wessex.police.uk"
	AgencyName     string    // its name, when its jCard gives one
	IncidentType   string    // the "Incident Type – Common" code
	Status         []string  // the "Incident Status – Common" codes
	Updated        time.Time // when the sender last changed the document

	// Closed is set when the sender has closed the incident; Closing is
	// then how, when the document says in a way bluelamp can record (pass
	// it to CloseIncident to close the new incident the same way).
	Closed  bool
	Closing *bluelamp.Closing
	// Major is the sender's major incident declaration, for
	// DeclareMajorIncident.
	Major *bluelamp.MajorIncident
	// Resources are the sender's units on the incident, for information:
	// they are not this force's.
	Resources []Resource
}

// Resource is one of the sender's units on an imported incident.
type Resource struct {
	ID              string   // e.g. "unit7@wessex.police.uk"
	CallSign        string   // its name
	Type            string   // "Emergency Resource Type – Common"
	PrimaryStatus   string   // "Primary Unit Status – Common"
	SecondaryStatus []string // "Secondary Unit Status – Common"
	InternalStatus  []string // the sender's own status codes
}

// Import reads an EIDO document as a new incident and the log lines to
// add after creating it; see Imported for both and for Decode, which
// returns everything else the document says. Errors are those of Decode.
func Import(doc []byte) (*bluelamp.Incident, []*bluelamp.LogEntry, error) {
	im, err := Decode(doc)
	if err != nil {
		return nil, nil, err
	}
	return im.Incident, im.Log, nil
}

// Decode checks doc against the schema, then reads it as a new incident.
// It returns a KindTooLarge error for a document over MaxDocument and a
// KindInvalid error with Code "eido_invalid" for one that is not JSON,
// fails the schema, or cannot be an incident (no usable location, a
// timestamp that is not RFC 3339, a malformed PIDF-LO or details note);
// its Fields are keyed by the JSON pointer of each place at fault. It
// writes nothing and never panics; a nil error comes with an incident.
func Decode(doc []byte) (*Imported, error) {
	tree, err := validate(doc)
	if err != nil {
		return nil, err
	}
	d, err := decodeDocument(tree)
	if err != nil {
		return nil, err
	}
	m := &importer{d: d, out: &Imported{TrackingID: d.ID, Incident: &bluelamp.Incident{}}}
	if err := m.read(); err != nil {
		return nil, err
	}
	return m.out, nil
}

// unusable is the error for a valid EIDO that cannot become an incident.
func unusable(ptr, msg string) *bluelamp.Error {
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid,
		Message: "the EIDO document cannot be opened as an incident", Fields: map[string]string{ptr: msg}}
}

// decodeDocument reads the validated JSON into the component types. The
// standard library matches member names without regard to case, so a
// member that differs from a known one only in case (which the schema did
// not check) is dropped first.
func decodeDocument(tree any) (*document, error) {
	b, err := json.Marshal(dropCaseVariants(tree, knownMembers()))
	if err != nil {
		return nil, fmt.Errorf("re-encode EIDO: %w", err)
	}
	var d document
	if err := json.Unmarshal(b, &d); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			return nil, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid,
				Message: "the EIDO document does not match the " + Standard + " schema",
				Fields:  map[string]string{typeErrorPointer(te.Field): "must be " + jsonKind(te.Type) + ", not " + te.Value}}
		}
		return nil, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid, Message: "the EIDO document cannot be read", Err: err}
	}
	return &d, nil
}

// typeErrorPointer turns the dotted member path of a type error into a
// JSON pointer, leaving out the embedded prologue (array indices are not
// reported).
func typeErrorPointer(field string) string {
	var b strings.Builder
	for name := range strings.SplitSeq(field, ".") {
		if name != "prologue" {
			b.WriteString("/" + escapePointer(name))
		}
	}
	return b.String()
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice:
		return "array"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	}
	return "number"
}

// knownMembers lists the name of every member the component types read.
var knownMembers = sync.OnceValue(func() []string {
	var names []string
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[document]())
	return names
})

func dropCaseVariants(v any, known []string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !slices.Contains(known, k) && slices.ContainsFunc(known, func(n string) bool { return strings.EqualFold(n, k) }) {
				delete(v, k)
				continue
			}
			v[k] = dropCaseVariants(x, known)
		}
	case []any:
		for i, x := range v {
			v[i] = dropCaseVariants(x, known)
		}
	}
	return v
}

type importer struct {
	d   *document
	out *Imported

	summaryNote, detailsNote int // index in d.Notes, or -1
	details                  detailValues
	remarks                  []string // for the provenance line
}

// ownNote matches the $id of the summary and details notes Export writes.
var ownNote = regexp.MustCompile(`^` + regexp.QuoteMeta(dataComponentURN) + `bl(summary|details)[0-9a-z]+:`)

func (m *importer) read() error {
	d, out, inc := m.d, m.out, m.out.Incident
	var ok bool
	if out.Updated, ok = parseTimestamp(d.LastUpdate); !ok {
		return unusable("/lastUpdateTimeStamp", "must be an RFC 3339 date-time with a zone")
	}
	m.agency()
	m.summaryNote, m.detailsNote = -1, -1
	for i, n := range d.Notes {
		switch g := ownNote.FindStringSubmatch(n.ID); {
		case g == nil:
		case g[1] == "summary":
			m.summaryNote = i
		default:
			m.detailsNote = i
			var err error
			if m.details, err = parseDetails(noteText(n.Comments)); err != nil {
				return unusable(fmt.Sprintf("/notesComponent/%d/notesActionComments", i), bluelamp.MessageOf(err))
			}
		}
	}
	ic := d.Incident
	if ic == nil {
		ic = &incidentComponent{}
		m.remarks = append(m.remarks, "the document has no incident information")
	}
	out.IncidentType, out.Status, out.SenderIncident = ic.TypeCommon, ic.StatusCommon, ic.InternalID
	out.Closed = slices.Contains(ic.StatusCommon, statusClosed) || slices.Contains(ic.StatusCommon, statusCancelled)

	inc.Category = bluelamp.Category(ic.TypeInternalCode)
	if !inc.Category.Valid() {
		inc.Category, ok = categories[ic.TypeCommon]
		if !ok {
			inc.Category = "OTHER_ADMIN"
		}
	}
	inc.Grade = m.grade(ic)
	if err := m.call(); err != nil {
		return err
	}
	if err := m.location(ic); err != nil {
		return err
	}
	inc.Classification = bluelamp.ClassOfficial
	if m.details.Classification != "" {
		inc.Classification = m.details.Classification
	}
	inc.Qualifiers, inc.RequiredSkills = m.details.Qualifiers, m.details.RequiredSkills
	if inc.Qualifiers == nil {
		inc.Qualifiers = []bluelamp.Qualifier{}
	}
	if inc.RequiredSkills == nil {
		inc.RequiredSkills = []bluelamp.Skill{}
	}
	out.Major = m.details.Major
	log, err := m.notes()
	if err != nil {
		return err
	}
	inc.Summary = m.summary(ic, log)
	if out.Closed {
		out.Closing = m.closing(ic)
	}
	for _, r := range d.Resources {
		out.Resources = append(out.Resources, Resource{ID: r.ID, CallSign: r.Name, Type: r.TypeCommon,
			PrimaryStatus: r.PrimaryStatus, SecondaryStatus: r.SecondaryStatus, InternalStatus: r.StatusInternal})
	}
	out.Log = append([]*bluelamp.LogEntry{m.provenance(ic)}, log...)
	return m.check()
}

// agency finds the sending agency: the owning one, else the one that last
// updated the document.
func (m *importer) agency() {
	m.out.Agency = m.d.UpdatedByAgency.Ref
	for _, a := range m.d.Agencies {
		if a.Owning != nil && *a.Owning || a.ID == m.out.Agency {
			m.out.Agency, m.out.AgencyName = a.ID, jCardName(a.JCard)
			if a.Owning != nil && *a.Owning {
				return
			}
		}
	}
}

// grade reads the canonical grade bluelamp writes as the internal
// priority, else the common priority number. With neither, the incident
// is graded PRIORITY so a controller looks at it soon and re-grades.
func (m *importer) grade(ic *incidentComponent) bluelamp.Grade {
	if g := bluelamp.Grade(ic.PriorityInternal); g.Valid() {
		return g
	}
	if g, ok := gradeForPriority(string(ic.PriorityCommon)); ok {
		return g
	}
	m.remarks = append(m.remarks, "no priority given: graded PRIORITY for review")
	return bluelamp.GradePriority
}

// call reads the time received and the method of reporting from the
// earliest call: bluelamp's channel when it wrote the document, else a
// partner referral (the sender, not the public, reported it to us).
func (m *importer) call() error {
	inc := m.out.Incident
	inc.Channel = bluelamp.ChannelPartner
	for i, c := range m.d.Calls {
		t, ok := parseTimestamp(c.Start)
		if !ok {
			return unusable(fmt.Sprintf("/callComponent/%d/callStartTimestamp", i), "must be an RFC 3339 date-time with a zone")
		}
		if !inc.ReceivedAt.IsZero() && !t.Before(inc.ReceivedAt) {
			continue
		}
		inc.ReceivedAt, inc.Channel = t, bluelamp.ChannelPartner
		if ch := bluelamp.Channel(c.LocalType); ch.Valid() {
			inc.Channel = ch
		}
	}
	return nil
}

// location reads the incident's location: of the locations the incident
// refers to, then any others, the first usable one by type (the current
// incident location first). Locations given only by reference are not
// fetched.
func (m *importer) location(ic *incidentComponent) error {
	order := make([]int, 0, len(m.d.Locations))
	for _, r := range ic.Locations {
		if i := slices.IndexFunc(m.d.Locations, func(l location) bool { return l.ID == r.Ref }); i >= 0 && !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	for i := range m.d.Locations {
		if !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	rank := func(i int) int {
		if r := slices.Index(locationPreference, m.d.Locations[i].Type); r >= 0 {
			return r
		}
		return len(locationPreference)
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank(a) - rank(b) })
	for _, i := range order {
		l := m.d.Locations[i]
		var civic string
		var pos *bluelamp.Position
		if l.ByValue != "" {
			var err error
			if civic, pos, err = parsePIDF(l.ByValue); err != nil {
				return unusable(fmt.Sprintf("/locationComponent/%d/locationByValue", i), err.Error())
			}
		}
		address := strings.TrimSpace(l.Description)
		if address == "" {
			address = civic
		}
		if address == "" && pos == nil {
			continue
		}
		loc := &m.out.Incident.Location
		loc.Address, loc.Position = cut(address, bluelamp.MaxAddress), pos
		if pos != nil {
			loc.GridRef, loc.CrossBorder, loc.Rural = m.details.GridRef, m.details.CrossBorder, m.details.Rural
		}
		return nil
	}
	return unusable("/locationComponent", "no location has an address or a position, and an incident needs one (locations by reference are not fetched)")
}

// notes reads every note but bluelamp's own summary and details as log
// entries, oldest first; a note too long for one entry is split.
func (m *importer) notes() ([]*bluelamp.LogEntry, error) {
	type timed struct {
		at   time.Time
		note note
	}
	var ns []timed
	for i, n := range m.d.Notes {
		if i == m.summaryNote || i == m.detailsNote {
			continue
		}
		t, ok := parseTimestamp(n.LastUpdate)
		if !ok {
			return nil, unusable(fmt.Sprintf("/notesComponent/%d/lastUpdateTimeStamp", i), "must be an RFC 3339 date-time with a zone")
		}
		ns = append(ns, timed{t, n})
	}
	slices.SortStableFunc(ns, func(a, b timed) int { return a.at.Compare(b.at) })
	var log []*bluelamp.LogEntry
	for _, n := range ns {
		text := noteText(n.note.Comments)
		if text == "" {
			continue
		}
		author := m.agentName(n.note.Agent, n.note.UpdatedByAgent)
		for _, part := range split(text, bluelamp.MaxLogText-attribution) {
			log = append(log, &bluelamp.LogEntry{Time: n.at, Actor: author, Kind: bluelamp.LogNote, Text: part})
		}
	}
	return log, nil
}

// agentName is the name of the first agent referred to: its jCard's
// formatted name, else its identifier; else the sending agency.
func (m *importer) agentName(refs ...*reference) string {
	for _, r := range refs {
		if r == nil || r.Ref == "" {
			continue
		}
		for _, a := range m.d.Agents {
			if a.ID == r.Ref {
				if name := jCardName(a.JCard); name != "" {
					return cut(name, 100)
				}
			}
		}
		return cut(r.Ref, 100)
	}
	return cut(m.out.Agency, 100)
}

// summary is bluelamp's summary note, else the incident type and the
// first note, cut to fit.
func (m *importer) summary(ic *incidentComponent, log []*bluelamp.LogEntry) string {
	if m.summaryNote >= 0 {
		if s := strings.TrimSpace(noteText(m.d.Notes[m.summaryNote].Comments)); s != "" {
			return cut(s, bluelamp.MaxSummary)
		}
	}
	head := strings.TrimSpace(ic.TypeInternalText)
	switch {
	case m.d.Incident == nil:
		head = "EIDO incident with no incident information"
	case head == "" || m.out.Incident.Category == "OTHER_ADMIN":
		head = strings.TrimSpace("EIDO incident type " + ic.TypeCommon + " " + head)
	}
	if len(log) > 0 {
		head += ": " + strings.Join(strings.Fields(log[0].Text), " ")
	}
	return cut(head, bluelamp.MaxSummary)
}

// closing reads how a closed incident was closed: bluelamp's result when
// it wrote the document, else the nearest result to the disposition code.
func (m *importer) closing(ic *incidentComponent) *bluelamp.Closing {
	i := slices.IndexFunc(ic.Dispositions, func(d disposition) bool { return d.Primary != nil && *d.Primary })
	if i < 0 && len(ic.Dispositions) > 0 {
		i = 0
	}
	if i < 0 {
		return nil
	}
	disp := ic.Dispositions[i]
	r := bluelamp.Result(disp.Category)
	if !r.Valid() {
		var ok bool
		if r, ok = results[disp.Code]; !ok {
			return nil
		}
	}
	c := &bluelamp.Closing{Category: m.details.ClosingCategory, Qualifiers: m.details.ClosingQualifiers, Result: r,
		Partner: m.details.Partner, DuplicateOf: m.details.DuplicateOf, Note: disp.Description}
	if c.Category == "" {
		c.Category = m.out.Incident.Category
	}
	if c.Qualifiers == nil {
		c.Qualifiers = []bluelamp.Qualifier{}
	}
	if r == bluelamp.ResultCrimeRecorded && len(ic.Documents) > 0 {
		c.CrimeReference = ic.Documents[0]
	}
	return c
}

// provenance is the first log line: where the incident came from.
func (m *importer) provenance(ic *incidentComponent) *bluelamp.LogEntry {
	out := m.out
	var b strings.Builder
	b.WriteString("Imported from EIDO " + out.TrackingID + " sent by ")
	if out.AgencyName != "" {
		b.WriteString(out.AgencyName + " (" + out.Agency + ")")
	} else {
		b.WriteString(out.Agency)
	}
	if out.SenderIncident != "" {
		b.WriteString(", their incident " + out.SenderIncident)
	}
	if ic.TypeCommon != "" {
		b.WriteString("; type " + ic.TypeCommon)
	}
	if len(ic.StatusCommon) > 0 {
		b.WriteString("; status " + strings.Join(ic.StatusCommon, ", "))
	}
	if ic.PriorityCommon != "" {
		b.WriteString("; priority " + string(ic.PriorityCommon))
	}
	for _, r := range m.remarks {
		b.WriteString("; " + r)
	}
	return &bluelamp.LogEntry{Time: out.Updated, Actor: cut(out.Agency, 100), Kind: bluelamp.LogImported, Text: cut(b.String(), bluelamp.MaxLogText)}
}

// check validates the incident as CreateIncident will (without the force
// area), naming the document's place for any fault.
func (m *importer) check() error {
	err := m.out.Incident.Validate(nil)
	e, ok := errors.AsType[*bluelamp.Error](err)
	if !ok {
		return err
	}
	details := "/notesComponent"
	if m.detailsNote >= 0 {
		details += "/" + strconv.Itoa(m.detailsNote) + "/notesActionComments"
	}
	fields := map[string]string{}
	for name, msg := range e.Fields {
		ptr := details
		if strings.HasPrefix(name, "location.") && name != "location.grid_ref" {
			ptr = "/locationComponent"
		}
		fields[ptr] = name + ": " + msg
	}
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid, Message: "the EIDO document cannot be opened as an incident", Fields: fields}
}

// jCardName returns the formatted name ("fn") of a jCard (RFC 7095), or "".
func jCardName(card string) string {
	var v []any
	if json.Unmarshal([]byte(card), &v) != nil || len(v) < 2 {
		return ""
	}
	props, _ := v[1].([]any)
	for _, p := range props {
		if p, ok := p.([]any); ok && len(p) >= 4 && p[0] == "fn" {
			if s, ok := p[3].(string); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}
