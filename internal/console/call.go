package console

import (
	"net/http"

	"github.com/bluelamp/bluelamp"
)

// callView is the new-call form's choices.
type callView struct {
	Channels   []bluelamp.ChannelInfo
	Groups     []categoryGroup
	Qualifiers []bluelamp.QualifierInfo
	Grades     []bluelamp.GradeSetting
	Skills     []bluelamp.SkillInfo
	Link       bluelamp.IncidentID // ?incident=ID: the call is about this incident
}

// categoryGroup is an NSIR chapter, an optgroup of the category list.
type categoryGroup struct {
	Label      string
	Categories []bluelamp.CategoryInfo
}

type option struct{ Code, Label string }

// levelOptions are THRIVE's three-point ratings.
var levelOptions = []option{{"HIGH", "High"}, {"MEDIUM", "Medium"}, {"LOW", "Low"}}

// handleNewCall serves the call handler's keyboard-first contact form. It
// posts to the JSON API (POST /api/v1/contacts) from the page's module,
// which shows the API's problems beside the fields they name.
func (c *Console) handleNewCall(w http.ResponseWriter, r *http.Request) {
	op, ok := c.operator(w, r, contactTakers)
	if !ok {
		return
	}
	link, ok := c.incidentParam(w, r, op, "incident")
	if !ok {
		return
	}
	incs, err := c.openIncidents(op)
	if err != nil {
		c.failed(w, r, err)
		return
	}
	p := c.page(op, "New call", "/calls/new", &liveState{Incidents: incs, Selected: link})
	p.Data = callView{Channels: bluelamp.Channels, Groups: categoryGroups(), Qualifiers: bluelamp.Qualifiers,
		Grades: op.settings.Grades, Skills: op.settings.Skills, Link: link}
	p.Shortcuts = append([]shortcut{{"Ctrl+Enter", "Save the call"}, {"1–5", "Choose the grade, in the grade list"}}, commonShortcuts(p.Can)...)
	c.render(w, r, http.StatusOK, "call.html", p)
}

var groupLabels = map[bluelamp.CategoryGroup]string{
	bluelamp.GroupCrime: "Crime", bluelamp.GroupASB: "Anti-social behaviour", bluelamp.GroupTransport: "Transport",
	bluelamp.GroupSafety: "Public safety and welfare", bluelamp.GroupAdmin: "Administration",
}

func categoryGroups() []categoryGroup {
	var out []categoryGroup
	for _, ci := range bluelamp.Categories {
		if n := len(out); n == 0 || out[n-1].Label != groupLabels[ci.Group] {
			out = append(out, categoryGroup{Label: groupLabels[ci.Group]})
		}
		out[len(out)-1].Categories = append(out[len(out)-1].Categories, ci)
	}
	return out
}

// labelled gives upper-case codes such as MENTAL_HEALTH a label, "Mental health".
func labelled(codes []string) []option {
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{c, codeLabel(c)}
	}
	return out
}

func codeLabel(code string) string {
	b := []byte(code)
	for i, ch := range b {
		switch {
		case ch == '_':
			b[i] = ' '
		case i > 0 && ch >= 'A' && ch <= 'Z':
			b[i] = ch - 'A' + 'a'
		}
	}
	return string(b)
}
