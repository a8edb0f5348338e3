package console

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bluelamp/bluelamp"
)

// majorListView lists the declared major incidents still open.
type majorListView struct {
	Majors []queueRow
}

// handleMajorList lists open incidents declared major incidents.
func (c *Console) handleMajorList(w http.ResponseWriter, r *http.Request) {
	op, ok := c.operator(w, r, staff)
	if !ok {
		return
	}
	incs, err := c.openIncidents(op)
	if err != nil {
		c.failed(w, r, err)
		return
	}
	var majors []*bluelamp.Incident
	for _, inc := range incs {
		if inc.Major != nil {
			majors = append(majors, inc)
		}
	}
	p := c.page(op, "Major incidents", "/major", &liveState{Incidents: majors})
	p.Data = majorListView{Majors: queueRows(majors, op.settings, op.settings.Location(), c.Now())}
	p.Shortcuts = commonShortcuts(p.Can)
	c.render(w, r, http.StatusOK, "majors.html", p)
}

// majorView is one major incident with everything under it.
type majorView struct {
	*bluelamp.MajorIncidentView
	Head   queueRow
	Linked []queueRow
}

// handleMajor shows a major incident: its declaration, the incidents
// linked to it, the units committed to any of them and every M/ETHANE
// report, newest first; live.
func (c *Console) handleMajor(w http.ResponseWriter, r *http.Request) {
	op, ok := c.operator(w, r, staff)
	if !ok {
		return
	}
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n <= 0 {
		c.handleNotFound(w, r)
		return
	}
	v, err := c.Store.FindMajorIncident(op.ctx, bluelamp.IncidentID(n))
	if k := bluelamp.KindOf(err); k == bluelamp.KindNotFound || k == bluelamp.KindInvalid || k == bluelamp.KindConflict {
		c.render(w, r, http.StatusNotFound, "error.html", page{Title: "No such major incident", User: op.user, Force: op.force,
			Nav: navFor(op.actor, ""), Error: "There is no major incident " + strconv.FormatInt(n, 10) + " in your force."})
		return
	} else if err != nil {
		c.failed(w, r, err)
		return
	}
	loc, now := op.settings.Location(), c.Now()
	// Times print in the force's zone; their JSON keeps the offset.
	v.Incident.Major.DeclaredAt = v.Incident.Major.DeclaredAt.In(loc)
	for _, m := range v.METHANE {
		m.ReportedAt = m.ReportedAt.In(loc)
	}
	for _, a := range v.Units {
		a.AssignedAt = a.AssignedAt.In(loc)
	}
	slices.Reverse(v.METHANE) // newest first
	p := c.page(op, "Major incident "+v.Incident.Major.Name, "/major", &liveState{Major: v, Incidents: append([]*bluelamp.Incident{v.Incident}, v.Linked...)})
	p.Data = majorView{MajorIncidentView: v, Head: newQueueRow(v.Incident, op.settings, loc, now), Linked: queueRows(v.Linked, op.settings, loc, now)}
	p.Shortcuts = commonShortcuts(p.Can)
	c.render(w, r, http.StatusOK, "major.html", p)
}
