package eido

import (
	"html"
	"strconv"
	"strings"

	"github.com/bluelamp/bluelamp"
)

// noteHTML writes plain log text as the HTML5 an EIDO note holds: the
// three characters text content must escape, and a line break for each
// newline.
func noteHTML(text string) string { return noteEscaper.Replace(text) }

var noteEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", "<br>")

// noteText reads an EIDO note's HTML5 as plain text: tags are dropped
// (line breaks, paragraphs, list items and table rows end lines; scripts,
// styles and comments vanish) and character references are decoded. It
// reads noteHTML's output back exactly, less surrounding space.
func noteText(h string) string {
	var b strings.Builder
	for len(h) > 0 {
		i := strings.IndexByte(h, '<')
		if i < 0 || i+1 == len(h) {
			b.WriteString(html.UnescapeString(h))
			break
		}
		b.WriteString(html.UnescapeString(h[:i]))
		h = h[i:]
		c := h[1]
		if !(c == '/' || c == '!' || c == '?' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteString("<")
			h = h[1:]
			continue
		}
		if strings.HasPrefix(h, "<!--") {
			end := strings.Index(h[4:], "-->")
			if end < 0 {
				break
			}
			h = h[4+end+3:]
			continue
		}
		end := strings.IndexByte(h, '>')
		if end < 0 {
			break
		}
		closing := strings.HasPrefix(h[1:end], "/")
		tag := strings.TrimPrefix(h[1:end], "/")
		n := 0
		for n < len(tag) && (tag[n] >= 'a' && tag[n] <= 'z' || tag[n] >= 'A' && tag[n] <= 'Z' || tag[n] >= '0' && tag[n] <= '9') {
			n++
		}
		name := strings.ToLower(tag[:n])
		h = h[end+1:]
		switch name {
		case "br":
			b.WriteByte('\n')
		case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6":
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
		case "script", "style":
			if closing {
				break
			}
			if close := strings.Index(strings.ToLower(h), "</"+name); close >= 0 {
				h = h[close:]
			} else {
				h = ""
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// cut returns s cut to at most n bytes at a rune boundary, marking a cut
// with an ellipsis within the n bytes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	n -= len(ellipsis)
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n]) + ellipsis
}

// split cuts s into pieces of at most n bytes at rune boundaries.
func split(s string, n int) []string {
	var out []string
	for len(s) > n {
		i := n
		for i > 0 && !isRuneStart(s[i]) {
			i--
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return append(out, s)
}

// attribution is room kept in each imported note for NoteText's prefix.
const attribution = 200

// NoteText returns the text to log for an entry Import returns: the
// store records its own time and author, so the original time and author
// lead the text, e.g. "[EIDO note 2021-04-30 18:40:00Z, tjones@state.pa.us]
// Caller reports smoke". It fits bluelamp.MaxLogText.
func NoteText(e *bluelamp.LogEntry) string {
	if e.Kind == bluelamp.LogImported {
		return cut(e.Text, bluelamp.MaxLogText)
	}
	prefix := "[EIDO note " + e.Time.UTC().Format("2006-01-02 15:04:05Z07:00") + ", " + cut(e.Actor, attribution-40) + "] "
	return cut(prefix+e.Text, bluelamp.MaxLogText)
}

// detailsHeader opens the details note, for the reader at the other end.
const detailsHeader = "bluelamp incident details (key: value)"

// details returns the lines of the details note: what EIDO 1.0 has no
// element for. Codes are written bare, free text as Go-quoted strings.
func details(inc *bluelamp.Incident) []string {
	lines := []string{detailsHeader}
	add := func(key, value string) { lines = append(lines, key+": "+value) }
	class := inc.Classification
	if class == "" {
		class = bluelamp.ClassOfficial
	}
	add("classification", string(class))
	if len(inc.Qualifiers) > 0 {
		add("qualifiers", joinCodes(inc.Qualifiers))
	}
	if len(inc.RequiredSkills) > 0 {
		add("required-skills", joinCodes(inc.RequiredSkills))
	}
	if inc.Location.GridRef != "" {
		add("grid-ref", strconv.Quote(inc.Location.GridRef))
	}
	if inc.Location.CrossBorder {
		add("cross-border", "yes")
	}
	if inc.Location.Rural {
		add("rural", "yes")
	}
	if m := inc.Major; m != nil {
		add("major-incident", strconv.Quote(m.Name))
		add("major-declared-at", timestamp(m.DeclaredAt))
		add("major-declared-by", strconv.Quote(m.DeclaredBy))
		add("major-reason", strconv.Quote(m.Reason))
	}
	if c := inc.Closing; c != nil && inc.Status == bluelamp.IncidentClosed {
		add("closing-category", string(c.Category))
		if len(c.Qualifiers) > 0 {
			add("closing-qualifiers", joinCodes(c.Qualifiers))
		}
		if c.Partner != "" {
			add("closing-partner", strconv.Quote(c.Partner))
		}
		if c.DuplicateOf != "" {
			add("closing-duplicate-of", strconv.Quote(c.DuplicateOf))
		}
	}
	return lines
}

func joinCodes[T ~string](codes []T) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, " ")
}

func splitCodes[T ~string](s string) []T {
	var out []T
	for f := range strings.FieldsSeq(s) {
		out = append(out, T(f))
	}
	return out
}

// detailValues is what a details note says.
type detailValues struct {
	Classification    bluelamp.Classification
	Qualifiers        []bluelamp.Qualifier
	RequiredSkills    []bluelamp.Skill
	GridRef           string
	CrossBorder       bool
	Rural             bool
	Major             *bluelamp.MajorIncident
	ClosingCategory   bluelamp.Category
	ClosingQualifiers []bluelamp.Qualifier
	Partner           string
	DuplicateOf       string
}

// parseDetails reads a details note. Unknown keys are skipped, so a note
// from a later bluelamp still reads; a malformed value is an error naming
// its key.
func parseDetails(text string) (detailValues, error) {
	var d detailValues
	var major bluelamp.MajorIncident
	for line := range strings.Lines(text) {
		key, value, ok := strings.Cut(strings.TrimSpace(line), ": ")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		quoted := func(dst *string) error {
			s, err := strconv.Unquote(value)
			if err != nil {
				return bluelamp.Errorf(bluelamp.KindInvalid, "details note: %s is not a quoted string", key)
			}
			*dst = s
			return nil
		}
		var err error
		switch key {
		case "classification":
			d.Classification = bluelamp.Classification(value)
		case "qualifiers":
			d.Qualifiers = splitCodes[bluelamp.Qualifier](value)
		case "required-skills":
			d.RequiredSkills = splitCodes[bluelamp.Skill](value)
		case "grid-ref":
			err = quoted(&d.GridRef)
		case "cross-border":
			d.CrossBorder = value == "yes"
		case "rural":
			d.Rural = value == "yes"
		case "major-incident":
			err = quoted(&major.Name)
			d.Major = &major
		case "major-declared-at":
			t, ok := parseTimestamp(value)
			if !ok {
				err = bluelamp.Errorf(bluelamp.KindInvalid, "details note: major-declared-at is not a date-time")
			}
			major.DeclaredAt = t
		case "major-declared-by":
			err = quoted(&major.DeclaredBy)
		case "major-reason":
			err = quoted(&major.Reason)
		case "closing-category":
			d.ClosingCategory = bluelamp.Category(value)
		case "closing-qualifiers":
			d.ClosingQualifiers = splitCodes[bluelamp.Qualifier](value)
		case "closing-partner":
			err = quoted(&d.Partner)
		case "closing-duplicate-of":
			err = quoted(&d.DuplicateOf)
		}
		if err != nil {
			return detailValues{}, err
		}
	}
	return d, nil
}
