package httpapi

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
)

// The pocket notebook export for disclosure (DOMAIN 4.2): a printable page
// rendered on the server, to print or save as PDF from the browser. It
// shows every entry of the range with its server and device times, each
// correction beside the entry it corrects, the supervisors' reviews, the
// hash of each entry's event in the force's log, and the digest of the
// whole export, which the log also records (notebook.exported), so a copy
// can be checked against the record.

// exportView is what the export template shows.
type exportView struct {
	Force       *bluelamp.Force
	Notebook    *bluelamp.Notebook
	Entries     []exportEntry
	Reviews     []exportReview
	From, To    int64
	Exported    string
	Sensitive   bool
	Zone        string
	Justified   bluelamp.Justification
	DigestHex   string
	EntryCount  int
	ExportTitle string
}

type exportEntry struct {
	Number      int64
	Recorded    string
	Taken       string
	Incident    string
	Text        string
	Corrects    int64
	Corrections []exportCorrection
	Hash        string
}

type exportCorrection struct {
	Number int64
	Text   string // empty when the correcting entry is outside the export
}

type exportReview struct {
	From, To int64
	Reviewer string
	Collar   string
	At       string
	Comment  string
}

var exportPage = template.Must(template.New("export").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.ExportTitle}}</title>
<style>
body { font: 11pt/1.4 Georgia, "Times New Roman", serif; margin: 2em; color: #000; }
h1 { font-size: 16pt; margin: 0 0 .3em; }
.marking { text-align: center; font: bold 11pt sans-serif; letter-spacing: .1em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dt { font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { border: 1px solid #000; padding: .3em .5em; vertical-align: top; text-align: left; }
td.text { white-space: pre-wrap; }
code { font-size: 8pt; word-break: break-all; }
.correction { border-left: 3px solid #000; padding-left: .5em; margin-top: .3em; white-space: pre-wrap; }
footer { margin-top: 2em; font-size: 9pt; }
@media print { body { margin: 0; } .noprint { display: none; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<p class="marking">{{if .Sensitive}}OFFICIAL-SENSITIVE{{else}}OFFICIAL{{end}} – PERSONAL</p>
<h1>Pocket notebook: {{.Notebook.CollarNumber}} {{.Notebook.OfficerName}}</h1>
<dl>
<dt>Force</dt><dd>{{.Force.Name}} ({{.Force.ID}})</dd>
<dt>Officer</dt><dd>Collar number {{.Notebook.CollarNumber}}, {{.Notebook.OfficerName}}</dd>
<dt>Entries</dt><dd>{{if .EntryCount}}{{.From}} to {{.To}} ({{.EntryCount}} entries){{else}}none in this range{{end}}</dd>
<dt>Exported</dt><dd>{{.Exported}} by {{.Notebook.ExportedBy}}</dd>
<dt>Reason</dt><dd>{{.Justified.Reason}}{{with .Justified.Text}}: {{.}}{{end}}{{with .Justified.IncidentRef}} ({{.}}){{end}}</dd>
<dt>Times</dt><dd>24-hour clock, {{.Zone}}. "Recorded" is when bluelamp received the entry; "Written" is the officer's device time.</dd>
</dl>
<p class="noprint">To keep a PDF copy, print this page and choose "Save as PDF".</p>
<table>
<thead><tr><th>No.</th><th>Recorded</th><th>Written</th><th>Incident</th><th>Entry</th><th>Corrected by</th><th>Event hash (SHA-256)</th></tr></thead>
<tbody>
{{range .Entries}}<tr id="entry-{{.Number}}">
<td>{{.Number}}</td><td>{{.Recorded}}</td><td>{{.Taken}}</td><td>{{.Incident}}</td>
<td class="text">{{if .Corrects}}<strong>Correction of entry {{.Corrects}}.</strong>
{{end}}{{.Text}}</td>
<td>{{range .Corrections}}<div class="correction"><strong>Entry {{.Number}}</strong>{{with .Text}}: {{.}}{{else}} (outside this export){{end}}</div>{{else}}–{{end}}</td>
<td><code>{{.Hash}}</code></td>
</tr>
{{end}}</tbody>
</table>
<h2>Supervisor reviews</h2>
{{if .Reviews}}<table>
<thead><tr><th>Entries</th><th>Reviewed by</th><th>At</th><th>Comment</th></tr></thead>
<tbody>
{{range .Reviews}}<tr><td>{{.From}}{{if ne .From .To}} to {{.To}}{{end}}</td><td>{{.Reviewer}}{{with .Collar}} ({{.}}){{end}}</td><td>{{.At}}</td><td class="text">{{.Comment}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>No review covers these entries.</p>{{end}}
<footer>
<p>Export digest (SHA-256 of the notebook/v1 canonical encoding of the entries and reviews above): <code>{{.DigestHex}}</code></p>
<p>The force's log records this export with its digest. Each entry's event hash links it to the force's hash-chained log,
where it was recorded when received and has not been changed since: a mistake is corrected by a later entry, shown beside it.</p>
</footer>
</body>
</html>
`))

// renderExport writes n as the printable export page.
func renderExport(w http.ResponseWriter, force *bluelamp.Force, n *bluelamp.Notebook, j bluelamp.Justification, zone *time.Location) error {
	const layout = "02 Jan 2006 15:04:05 MST"
	v := exportView{Force: force, Notebook: n, Justified: j, Zone: zone.String(), DigestHex: n.Digest.String(), EntryCount: len(n.Entries)}
	if n.ExportedAt != nil {
		v.Exported = n.ExportedAt.In(zone).Format(layout)
	}
	texts := map[int64]string{}
	for _, e := range n.Entries {
		texts[e.Number] = e.Text
		v.Sensitive = v.Sensitive || e.Classification == bluelamp.ClassOfficialSensitive
	}
	for _, e := range n.Entries {
		x := exportEntry{Number: e.Number, Recorded: e.RecordedAt.In(zone).Format(layout), Taken: e.TakenAt.In(zone).Format(layout),
			Incident: e.Incident, Text: e.Text, Corrects: e.Corrects, Hash: e.EventHash.String()}
		for _, c := range e.CorrectedBy {
			x.Corrections = append(x.Corrections, exportCorrection{Number: c, Text: texts[c]})
		}
		v.Entries = append(v.Entries, x)
	}
	if len(n.Entries) > 0 {
		v.From, v.To = n.Entries[0].Number, n.Entries[len(n.Entries)-1].Number
	}
	for _, r := range n.Reviews {
		v.Reviews = append(v.Reviews, exportReview{From: r.From, To: r.To, Reviewer: r.Reviewer, Collar: r.ReviewerCollar,
			At: r.ReviewedAt.In(zone).Format(layout), Comment: r.Comment})
	}
	v.ExportTitle = fmt.Sprintf("Pocket notebook %s, entries %d to %d", n.CollarNumber, v.From, v.To)
	var b bytes.Buffer
	if err := exportPage.Execute(&b, v); err != nil {
		return fmt.Errorf("render notebook export: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="notebook-%s-%d-%d.html"`, n.CollarNumber, v.From, v.To))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b.Bytes())
	return err
}

// handleNotebookExport exports a range of the signed-in officer's own
// notebook, or with a collar path value another officer's, for disclosure.
// An export always needs a justification: it is made to be handed on.
func (s *Server) handleNotebookExport(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	f, err := notebookRange(r.URL.Query(), false)
	if err != nil {
		return err
	}
	if v := r.PathValue("collar"); v != "" {
		collar, err := collarNumber(v, "collar")
		if err != nil {
			return err
		}
		f.Collar = &collar
	}
	n, err := s.Store.ExportNotebook(r.Context(), f, j)
	if err != nil {
		return err
	}
	force, err := s.Store.FindForceByID(r.Context(), n.ForceID)
	if err != nil {
		return err
	}
	fs, err := s.Store.FindForceSettings(r.Context())
	if err != nil {
		return err
	}
	return renderExport(w, force, n, j, fs.Location())
}
