package console

import "net/http"

// handleUnitBoard serves the unit board alone: every unit grouped by
// canonical state, EMERGENCY first, live.
func (c *Console) handleUnitBoard(w http.ResponseWriter, r *http.Request) {
	op, ok := c.operator(w, r, staff)
	if !ok {
		return
	}
	p := c.page(op, "Unit board", "/units", &liveState{})
	p.Data = controlView{Board: newBoard(op.units, op.settings, op.settings.Location(), c.Now(), p.Can)}
	p.Shortcuts = commonShortcuts(p.Can)
	c.render(w, r, http.StatusOK, "units.html", p)
}
