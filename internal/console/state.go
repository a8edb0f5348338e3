package console

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Who may use which command-and-control page or action. The JSON API
// enforces the same rules (internal/httpapi/routes.go); the pages only
// leave out what a role cannot do, so nobody is offered a refusal.
var (
	// staff are everyone who works incidents; partner agencies see only
	// what an agreement shares, so they get none of these pages.
	staff = []bluelamp.Role{
		bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer,
		bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleAnalyst, bluelamp.RoleForceAdmin, bluelamp.RoleAuditor,
	}
	contactTakers  = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleSupervisor}
	contactReaders = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleAuditor}
	logWriters     = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor}
	dispatchers    = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor}
	supervisors    = []bluelamp.Role{bluelamp.RoleSupervisor}
	sceneReporters = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer}
	// trackReaders may read a unit's breadcrumbs, with a justification:
	// where its officers went is personal data (DPA 2018 s.62).
	trackReaders = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleAuditor}
)

// can is what the signed-in user's roles allow on the console.
type can struct {
	TakeCalls bool // record contacts, open incidents
	Log       bool // add incident log entries
	Contacts  bool // read callers' details, audited
	Dispatch  bool // assign, divert, stand down, unit status, link to a major incident
	Supervise bool // re-grade, close, declare a major incident
	METHANE   bool // M/ETHANE reports
	Track     bool // read a unit's breadcrumbs, audited
}

func canFor(a *bluelamp.Actor) can {
	return can{
		TakeCalls: a.HasRole(contactTakers...),
		Log:       a.HasRole(logWriters...),
		Contacts:  a.HasRole(contactReaders...),
		Dispatch:  a.HasRole(dispatchers...),
		Supervise: a.HasRole(supervisors...),
		METHANE:   a.HasRole(sceneReporters...),
		Track:     a.HasRole(trackReaders...),
	}
}

// navLink is one entry of the console's navigation.
type navLink struct {
	Href, Label, Key string
	Current          bool
}

func navFor(a *bluelamp.Actor, current string) []navLink {
	var out []navLink
	add := func(href, label, key string) {
		out = append(out, navLink{Href: href, Label: label, Key: key, Current: href == current})
	}
	if a.HasRole(contactTakers...) {
		add("/calls/new", "New call", "N")
	}
	add("/control", "Console", "Q")
	add("/units", "Unit board", "U")
	add("/map", "Map", "P")
	add("/major", "Major incidents", "")
	return out
}

// shortcut is one keyboard shortcut as shown on screen.
type shortcut struct{ Key, Label string }

// operator is the signed-in staff member a command-and-control page is
// rendered for, with what every such page needs.
type operator struct {
	ctx      context.Context
	actor    *bluelamp.Actor
	user     *bluelamp.User
	force    *bluelamp.Force
	settings *bluelamp.ForceSettings
	head     int64
	units    []*bluelamp.Unit
}

// operator loads the signed-in user for a page open to roles. It redirects
// a visitor who is not signed in, refuses a role that may not use the page,
// and reports false when it has answered.
//
// The head of the log is read before anything else, so the page's stream
// starts from a point no later than the data it shows: events between the
// two are applied again, which every update tolerates.
func (c *Console) operator(w http.ResponseWriter, r *http.Request, roles []bluelamp.Role) (*operator, bool) {
	actor, _ := c.signedIn(r)
	if actor == nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil, false
	}
	ctx := bluelamp.NewContext(r.Context(), actor)
	op := &operator{ctx: ctx, actor: actor}
	var err error
	if op.user, err = c.Store.FindSelf(ctx); err != nil {
		c.failed(w, r, err)
		return nil, false
	}
	if op.force, err = c.Store.FindForceByID(ctx, actor.ForceID); err != nil {
		c.failed(w, r, err)
		return nil, false
	}
	if !actor.HasRole(roles...) {
		c.render(w, r, http.StatusForbidden, "error.html", page{Title: "Not for your role", User: op.user, Force: op.force,
			Nav: navFor(actor, ""), Error: "Your role may not use this page. Ask a force admin if you need it."})
		return nil, false
	}
	head, err := c.Store.FindHead(ctx)
	if err != nil {
		c.failed(w, r, err)
		return nil, false
	}
	op.head = head.Seq
	if op.settings, err = c.Store.FindForceSettings(ctx); err != nil {
		c.failed(w, r, err)
		return nil, false
	}
	if op.units, err = c.Store.FindUnits(ctx); err != nil {
		c.failed(w, r, err)
		return nil, false
	}
	return op, true
}

// page returns the frame of a command-and-control page.
func (c *Console) page(op *operator, title, current string, st *liveState) page {
	var emergency []*bluelamp.Unit
	for _, u := range op.units {
		if u.State == bluelamp.StateEmergency {
			emergency = append(emergency, u)
		}
	}
	st.Head, st.Now, st.Roles = op.head, c.Now().UTC(), op.actor.Roles
	st.Settings, st.Codes, st.Units = op.settings, nationalCodes, nonNil(op.units)
	st.Can = canFor(op.actor)
	st.Items = make([]queueItem, len(st.Incidents))
	for i, inc := range st.Incidents {
		st.Items[i] = newQueueItem(inc)
	}
	return page{Title: title, User: op.user, Force: op.force, Roles: op.actor.Roles, Nav: navFor(op.actor, current),
		Can: st.Can, Wide: true, Emergency: emergency, State: st}
}

// liveState is a page's first render as data: its modules start from it
// and apply the event stream from Head onwards. Its JSON shapes are the
// API's, so a module reloading from the API gets the same.
type liveState struct {
	Head      int64                       `json:"head"`
	Now       time.Time                   `json:"now"` // the server's clock, so countdowns survive a wrong client clock
	Roles     []bluelamp.Role             `json:"roles"`
	Can       can                         `json:"can"`
	Settings  *bluelamp.ForceSettings     `json:"settings"`
	Codes     codes                       `json:"codes"`
	Incidents []*bluelamp.Incident        `json:"-"`
	Items     []queueItem                 `json:"incidents"` // Incidents, open ones in queue order
	Units     []*bluelamp.Unit            `json:"units"`
	Stations  []*bluelamp.Station         `json:"stations,omitempty"`
	Selected  bluelamp.IncidentID         `json:"selected,omitempty"`
	Major     *bluelamp.MajorIncidentView `json:"major,omitempty"`
	Map       *mapConfig                  `json:"map,omitempty"`
}

// MarshalJSON is the default encoding with the can flags' names in snake
// case, as the modules read them.
func (c can) MarshalJSON() ([]byte, error) {
	b := []byte("{")
	for i, f := range []struct {
		name string
		v    bool
	}{{"take_calls", c.TakeCalls}, {"log", c.Log}, {"contacts", c.Contacts}, {"dispatch", c.Dispatch}, {"supervise", c.Supervise}, {"methane", c.METHANE}, {"track", c.Track}} {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f.name)
		b = append(b, ':')
		b = strconv.AppendBool(b, f.v)
	}
	return append(b, '}'), nil
}

// queueItem is an incident as a page's modules first know it: enough to
// name it, place it on the map and link to it. The stream brings whole
// incidents as they change, and the API the rest; keeping the first render
// to this keeps a 5,000-incident queue's page small and quick to encode.
type queueItem struct {
	ID          bluelamp.IncidentID     `json:"id"`
	Number      string                  `json:"number"`
	Status      bluelamp.IncidentStatus `json:"status"`
	Grade       bluelamp.Grade          `json:"grade"`
	Category    bluelamp.Category       `json:"category"`
	Summary     string                  `json:"summary"`
	Location    itemLocation            `json:"location"`
	ReceivedAt  time.Time               `json:"received_at"`
	Major       *bluelamp.MajorIncident `json:"major,omitempty"`
	MajorLinkID bluelamp.IncidentID     `json:"major_link_id,omitempty"`
	Partial     bool                    `json:"partial"` // not the whole incident
}

type itemLocation struct {
	Address  string             `json:"address,omitempty"`
	Position *bluelamp.Position `json:"position,omitempty"`
}

func newQueueItem(inc *bluelamp.Incident) queueItem {
	return queueItem{ID: inc.ID, Number: inc.Number, Status: inc.Status, Grade: inc.Grade, Category: inc.Category, Summary: inc.Summary,
		Location: itemLocation{inc.Location.Address, inc.Location.Position}, ReceivedAt: inc.ReceivedAt, Major: inc.Major,
		MajorLinkID: inc.MajorLinkID, Partial: true}
}

// codes are the national lists the pages label things with.
type codes struct {
	Categories           []bluelamp.CategoryInfo  `json:"categories"`
	Qualifiers           []bluelamp.QualifierInfo `json:"qualifiers"`
	Results              []bluelamp.ResultInfo    `json:"results"`
	Channels             []bluelamp.ChannelInfo   `json:"channels"`
	HarmTypes            []string                 `json:"harm_types"`
	VulnerabilityFactors []string                 `json:"vulnerability_factors"`
	UnitStates           []stateInfo              `json:"unit_states"`
}

type stateInfo struct {
	Code  bluelamp.UnitState `json:"code"`
	Label string             `json:"label"`
}

var nationalCodes = func() codes {
	states := make([]stateInfo, len(bluelamp.UnitStates))
	for i, s := range bluelamp.UnitStates {
		states[i] = stateInfo{s, s.Label()}
	}
	return codes{Categories: bluelamp.Categories, Qualifiers: bluelamp.Qualifiers, Results: bluelamp.Results,
		Channels: bluelamp.Channels, HarmTypes: bluelamp.HarmTypes, VulnerabilityFactors: bluelamp.VulnerabilityFactors, UnitStates: states}
}()

// mapConfig is what the map module needs beyond the live data.
type mapConfig struct {
	TileURL         string `json:"tile_url,omitempty"`
	TileAttribution string `json:"tile_attribution,omitempty"`
}

func (c *Console) mapConfig() *mapConfig {
	return &mapConfig{TileURL: c.TileURL, TileAttribution: c.TileAttribution}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// openIncidents returns the force's open incidents in queue order: the
// whole queue, which a control room keeps in the low thousands.
func (c *Console) openIncidents(op *operator) ([]*bluelamp.Incident, error) {
	incs, _, err := c.Store.FindIncidents(op.ctx, bluelamp.IncidentFilter{Status: new(bluelamp.IncidentOpen), Limit: maxQueue})
	return incs, err
}

// maxQueue is the most open incidents a page shows: the store's page limit.
const maxQueue = 10000

// incidentParam reads an optional incident id from the query string;
// false (having answered) when it is not an id.
func (c *Console) incidentParam(w http.ResponseWriter, r *http.Request, op *operator, name string) (bluelamp.IncidentID, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		c.render(w, r, http.StatusBadRequest, "error.html", page{Title: "Not an incident", User: op.user, Force: op.force,
			Nav: navFor(op.actor, ""), Error: "The address names no incident: " + name + " must be an incident id."})
		return 0, false
	}
	return bluelamp.IncidentID(n), true
}
