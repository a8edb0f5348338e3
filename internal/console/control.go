package console

import (
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
)

// controlView is the controller console: the queue, the unit board, the map
// and the incident open in the detail panel.
type controlView struct {
	Queue    []queueRow
	Board    []boardGroup
	Selected bluelamp.IncidentID
}

// handleControl serves the controller console: the live queue by grade and
// age with attendance countdowns, the incident detail panel (?incident=ID
// opens one), the unit board and the map, all first rendered from the
// store and then kept live from the event stream.
func (c *Console) handleControl(w http.ResponseWriter, r *http.Request) {
	op, ok := c.operator(w, r, staff)
	if !ok {
		return
	}
	sel, ok := c.incidentParam(w, r, op, "incident")
	if !ok {
		return
	}
	incs, err := c.openIncidents(op)
	if err != nil {
		c.failed(w, r, err)
		return
	}
	stations, err := c.Store.FindStations(op.ctx)
	if err != nil {
		c.failed(w, r, err)
		return
	}
	loc, now := op.settings.Location(), c.Now()
	p := c.page(op, "Console", "/control", &liveState{Incidents: incs, Stations: stations, Selected: sel, Map: c.mapConfig()})
	p.Data = controlView{Queue: queueRows(incs, op.settings, loc, now), Board: newBoard(op.units, op.settings, loc, now, p.Can), Selected: sel}
	p.Shortcuts = controlShortcuts(p.Can)
	c.render(w, r, http.StatusOK, "control.html", p)
}

func queueRows(incs []*bluelamp.Incident, fs *bluelamp.ForceSettings, loc *time.Location, now time.Time) []queueRow {
	rows := make([]queueRow, len(incs))
	for i, inc := range incs {
		rows[i] = newQueueRow(inc, fs, loc, now)
	}
	return rows
}

// controlShortcuts are the console's keys, only those the user may use.
func controlShortcuts(cn can) []shortcut {
	out := []shortcut{{"J / ↓", "Next incident"}, {"K / ↑", "Previous incident"}, {"Enter", "Open incident"}}
	if cn.Dispatch {
		out = append(out, shortcut{"D", "Dispatch top recommendation"}, shortcut{"1–5", "Dispatch that recommendation"})
	}
	if cn.Log {
		out = append(out, shortcut{"L", "Add log entry"}, shortcut{"T", "Re-assess THRIVE"})
	}
	if cn.Supervise {
		out = append(out, shortcut{"G", "Re-grade"}, shortcut{"C", "Close incident"}, shortcut{"M", "Declare major incident"})
	}
	if cn.METHANE {
		out = append(out, shortcut{"E", "M/ETHANE report"})
	}
	if cn.Dispatch {
		out = append(out, shortcut{"I", "Link to major incident"})
	}
	return append(out, commonShortcuts(cn)...)
}

// commonShortcuts are the keys on every console page.
func commonShortcuts(cn can) []shortcut {
	var out []shortcut
	if cn.TakeCalls {
		out = append(out, shortcut{"N", "New call"})
	}
	return append(out, shortcut{"Q", "Console"}, shortcut{"U", "Unit board"}, shortcut{"P", "Map"}, shortcut{"A", "Acknowledge EMERGENCY alarm"},
		shortcut{"?", "All shortcuts"}, shortcut{"Esc", "Close dialog"})
}
