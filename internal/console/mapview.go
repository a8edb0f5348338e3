package console

import "net/http"

// handleMap serves the map alone: open incidents and units on duty, live,
// over the force area, its towns and stations, with tiles when a tile
// server is configured.
func (c *Console) handleMap(w http.ResponseWriter, r *http.Request) {
	op, ok := c.operator(w, r, staff)
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
	p := c.page(op, "Map", "/map", &liveState{Incidents: incs, Stations: stations, Map: c.mapConfig()})
	p.Shortcuts = commonShortcuts(p.Can)
	c.render(w, r, http.StatusOK, "map.html", p)
}
