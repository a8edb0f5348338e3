package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bluelamp/bluelamp"
)

// Record checks (issue 4): searching and viewing person, vehicle and
// location records, markers first, with a justification and within the
// per-user rate limit; and the force admin's import. docs/RECORDS.md
// documents the import formats.

// recordCheck is a record-check handler, given the justification its
// caller sent.
type recordCheck func(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error

// guard reads the justification (DPA 2018 s.62), then spends one of the
// caller's checks, then runs h.
func (l *rateLimiter) guard(h recordCheck) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		j, err := justification(r)
		if err != nil {
			return err
		}
		if err := l.allow(w, r); err != nil {
			return err
		}
		return h(w, r, j)
	}
}

// newRecordChecks returns the record-check limiter of s, on s's clock.
func (s *Server) newRecordChecks() *rateLimiter {
	return newRateLimiter(RecordChecksPerMinute, RecordCheckBurst, func() time.Time { return s.Now() })
}

// page reads offset and limit.
func page(r *http.Request) (offset, limit int, err error) {
	q := r.URL.Query()
	if offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return 0, 0, err
	}
	limit, err = queryInt(q, "limit", bluelamp.DefaultRecordLimit, 1, bluelamp.MaxRecordLimit)
	return offset, limit, err
}

// personPage is a page of person records found, markers first in each.
type personPage struct {
	Persons []*bluelamp.Person `json:"persons"`
	Total   int                `json:"total"`
}

func (s *Server) handlePersonSearch(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error {
	q := r.URL.Query()
	f := bluelamp.PersonFilter{Surname: q.Get("surname"), Forename: q.Get("forename")}
	if q.Has("dob") {
		f.DateOfBirth = new(bluelamp.Date(q.Get("dob")))
	}
	var err error
	if f.Offset, f.Limit, err = page(r); err != nil {
		return err
	}
	ps, total, err := s.Store.FindPersons(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, personPage{Persons: nonNilSlice(ps), Total: total})
}

func (s *Server) handlePersonGet(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error {
	id, err := pathID[bluelamp.PersonID](r, "id")
	if err != nil {
		return err
	}
	p, err := s.Store.FindPersonByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// vehiclePage is a page of vehicle records found, each with its keeper's.
type vehiclePage struct {
	Vehicles []*bluelamp.Vehicle `json:"vehicles"`
	Total    int                 `json:"total"`
}

func (s *Server) handleVehicleSearch(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error {
	f := bluelamp.VehicleFilter{VRM: r.URL.Query().Get("vrm")}
	var err error
	if f.Offset, f.Limit, err = page(r); err != nil {
		return err
	}
	vs, total, err := s.Store.FindVehicles(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, vehiclePage{Vehicles: nonNilSlice(vs), Total: total})
}

func (s *Server) handleVehicleGet(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error {
	id, err := pathID[bluelamp.VehicleID](r, "id")
	if err != nil {
		return err
	}
	v, err := s.Store.FindVehicleByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// locationPage is a page of location records found.
type locationPage struct {
	Locations []*bluelamp.LocationRecord `json:"locations"`
	Total     int                        `json:"total"`
}

func (s *Server) handleLocationSearch(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error {
	q := r.URL.Query()
	f := bluelamp.LocationRecordFilter{Query: q.Get("q")}
	fields := map[string]string{}
	number := func(name string) *float64 {
		if !q.Has(name) {
			return nil
		}
		n, err := strconv.ParseFloat(q.Get(name), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			fields[name] = "must be a number"
			return nil
		}
		return &n
	}
	lat, lon, radius := number("lat"), number("lon"), number("radius")
	switch {
	case lat != nil && lon != nil:
		f.Near = &bluelamp.Position{Lat: *lat, Lon: *lon}
	case lat != nil && fields["lon"] == "":
		fields["lon"] = "is required with lat"
	case lon != nil && fields["lat"] == "":
		fields["lat"] = "is required with lon"
	}
	if radius != nil {
		if f.Near == nil && fields["lat"] == "" {
			fields["radius"] = "is given only with lat and lon"
		}
		f.RadiusM = *radius
		if f.RadiusM == 0 {
			f.RadiusM = -1 // refused by Validate: zero is not the default when sent
		}
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	var err error
	if f.Offset, f.Limit, err = page(r); err != nil {
		return err
	}
	ls, total, err := s.Store.FindLocationRecords(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, locationPage{Locations: nonNilSlice(ls), Total: total})
}

func (s *Server) handleLocationGet(w http.ResponseWriter, r *http.Request, j bluelamp.Justification) error {
	id, err := pathID[bluelamp.LocationRecordID](r, "id")
	if err != nil {
		return err
	}
	l, err := s.Store.FindLocationRecordByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// MaxImportBody is the largest import accepted: 10 MiB.
const MaxImportBody = 10 << 20

// handleRecordImport imports records from CSV (one kind a file, named by
// ?kind=) or JSON (any kinds): every row is checked first, and a bad row
// refuses the whole import with 422 naming each bad row.
func (s *Server) handleRecordImport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	dryRun := false
	switch q.Get("dry_run") {
	case "", "false":
	case "true":
		dryRun = true
	default:
		return bluelamp.InvalidFields(map[string]string{"dry_run": "must be true or false"})
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "text/csv" && mt != "application/json") {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia,
			Message: "send the import as Content-Type: text/csv (with ?kind=) or application/json"}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia, Message: "send the import as UTF-8"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxImportBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "body_too_large",
			Message: fmt.Sprintf("the import is over the %d MiB limit; split it into smaller files", MaxImportBody>>20)}
	}
	if err != nil {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_body", Message: "the request body could not be read", Err: err}
	}
	var imp *bluelamp.RecordImport
	var rows []bluelamp.RowError
	if mt == "text/csv" {
		imp, rows, err = parseCSVImport(bluelamp.RecordKind(strings.TrimSuffix(q.Get("kind"), "s")), q.Has("kind"), body)
	} else if q.Has("kind") {
		err = bluelamp.InvalidFields(map[string]string{"kind": "is only for CSV: a JSON import names its kinds as members"})
	} else {
		imp, rows, err = parseJSONImport(body)
	}
	if err != nil {
		return err
	}
	res, err := s.Store.ImportRecords(r.Context(), imp, dryRun || len(rows) > 0)
	if ie, ok := errors.AsType[*bluelamp.ImportError](err); ok {
		rows = mergeRows(rows, ie.Rows)
	} else if err != nil {
		return err
	}
	if len(rows) > 0 {
		return writeImportProblem(w, r, rows)
	}
	return writeJSON(w, http.StatusOK, res)
}

// importProblem is the 422 answer to an import with bad rows.
type importProblem struct {
	Problem
	Rows []bluelamp.RowError `json:"rows"`
}

func writeImportProblem(w http.ResponseWriter, r *http.Request, rows []bluelamp.RowError) error {
	return writeRowsProblem(w, importProblem{Problem: rowsProblem(r,
		fmt.Sprintf("%d rows are invalid; nothing was imported. Each is listed with its row number and what is wrong.", len(rows))), Rows: rows})
}

// rowsProblem is the Problem of a 422 refusing an import for its bad rows
// (invalid_rows); the caller adds the rows.
func rowsProblem(r *http.Request, detail string) Problem {
	const code = "invalid_rows"
	return Problem{Type: ProblemType(code), Title: http.StatusText(http.StatusUnprocessableEntity),
		Status: http.StatusUnprocessableEntity, Code: code, Instance: r.URL.Path, RequestID: requestID(r.Context()), Detail: detail}
}

// writeRowsProblem writes p, a rowsProblem with its rows, as a 422.
func writeRowsProblem(w http.ResponseWriter, p any) error {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnprocessableEntity)
	return json.NewEncoder(w).Encode(p)
}

// mergeRows merges the store's row errors into the parser's, in kind and
// row order; the parser's message for a field wins.
func mergeRows(parsed, stored []bluelamp.RowError) []bluelamp.RowError {
	at := map[[2]any]int{}
	var out []bluelamp.RowError
	for _, r := range append(slices.Clone(parsed), stored...) {
		key := [2]any{r.Kind, r.Row}
		i, ok := at[key]
		if !ok {
			r.Errors = maps.Clone(r.Errors)
			at[key] = len(out)
			out = append(out, r)
			continue
		}
		for f, msg := range r.Errors {
			if _, dup := out[i].Errors[f]; !dup {
				out[i].Errors[f] = msg
			}
		}
		if out[i].Reference == "" {
			out[i].Reference = r.Reference
		}
	}
	order := map[bluelamp.RecordKind]int{bluelamp.RecordPerson: 0, bluelamp.RecordVehicle: 1, bluelamp.RecordLocation: 2}
	slices.SortStableFunc(out, func(a, b bluelamp.RowError) int {
		if c := order[a.Kind] - order[b.Kind]; c != 0 {
			return c
		}
		return a.Row - b.Row
	})
	return out
}

// --- JSON imports

// markerInput is a marker as an import gives it; its label comes from its code.
type markerInput struct {
	Code          bluelamp.MarkerCode `json:"code"`
	Severity      bluelamp.Level      `json:"severity"`
	OfficerSafety bool                `json:"officer_safety"`
	Detail        string              `json:"detail"`
	Date          bluelamp.Date       `json:"date"`
	Source        string              `json:"source"`
	ReviewDate    bluelamp.Date       `json:"review_date"`
}

func markers(in []markerInput) []bluelamp.Marker {
	out := make([]bluelamp.Marker, len(in))
	for i, m := range in {
		out[i] = bluelamp.Marker{Code: m.Code, Severity: m.Severity, OfficerSafety: m.OfficerSafety, Detail: m.Detail,
			Date: m.Date, Source: m.Source, ReviewDate: m.ReviewDate}
	}
	return out
}

// personImport is one person of a JSON import.
type personImport struct {
	Reference     string                   `json:"reference"`
	Surname       string                   `json:"surname"`
	Forenames     string                   `json:"forenames"`
	Aliases       []bluelamp.PersonName    `json:"aliases"`
	DateOfBirth   bluelamp.Date            `json:"date_of_birth"`
	Sex           bluelamp.Sex             `json:"sex"`
	Addresses     []bluelamp.PersonAddress `json:"addresses"`
	Description   string                   `json:"description"`
	Vulnerable    bool                     `json:"vulnerable"`
	Vulnerability string                   `json:"vulnerability"`
	Interpreter   bool                     `json:"interpreter"`
	Language      string                   `json:"language"`
	Markers       []markerInput            `json:"markers"`
}

// vehicleImport is one vehicle of a JSON import.
type vehicleImport struct {
	Reference string        `json:"reference"`
	VRM       string        `json:"vrm"`
	Make      string        `json:"make"`
	Model     string        `json:"model"`
	Colour    string        `json:"colour"`
	KeeperRef string        `json:"keeper_ref"`
	Markers   []markerInput `json:"markers"`
}

// locationImport is one location of a JSON import.
type locationImport struct {
	Reference   string           `json:"reference"`
	Address     string           `json:"address"`
	Postcode    string           `json:"postcode"`
	Position    *positionRequest `json:"position"`
	Description string           `json:"description"`
	Markers     []markerInput    `json:"markers"`
}

// recordsImport is a JSON import: lists of records, by kind.
type recordsImport struct {
	Persons   []json.RawMessage `json:"persons"`
	Vehicles  []json.RawMessage `json:"vehicles"`
	Locations []json.RawMessage `json:"locations"`
}

// parseJSONImport decodes a JSON import. A body that is not an import is
// refused whole; a record that does not decode is a bad row (its place in
// its list, from 1), and the rest are still read, so every bad row is
// reported at once.
func parseJSONImport(body []byte) (*bluelamp.RecordImport, []bluelamp.RowError, error) {
	var req recordsImport
	if err := decodeBody(body, &req); err != nil {
		return nil, nil, err
	}
	if n := len(req.Persons) + len(req.Vehicles) + len(req.Locations); n > bluelamp.MaxImportRows {
		return nil, nil, tooManyRows(n)
	}
	imp := &bluelamp.RecordImport{}
	var rows []bluelamp.RowError
	bad := func(kind bluelamp.RecordKind, i int, err error) {
		e, _ := errors.AsType[*bluelamp.Error](err)
		fields := map[string]string{}
		if e != nil && len(e.Fields) > 0 {
			fields = maps.Clone(e.Fields)
		} else {
			fields["record"] = bluelamp.MessageOf(err)
		}
		rows = append(rows, bluelamp.RowError{Kind: kind, Row: i + 1, Errors: fields})
	}
	for i, raw := range req.Persons {
		var in personImport
		if err := decodeBody(raw, &in); err != nil {
			bad(bluelamp.RecordPerson, i, err)
			_ = json.Unmarshal(raw, &in) // what can be read, so the rest of the row is checked too
		}
		imp.Persons = append(imp.Persons, &bluelamp.Person{Reference: in.Reference, Surname: in.Surname, Forenames: in.Forenames,
			Aliases: in.Aliases, DateOfBirth: in.DateOfBirth, Sex: in.Sex, Addresses: in.Addresses, Description: in.Description,
			Vulnerable: in.Vulnerable, Vulnerability: in.Vulnerability, Interpreter: in.Interpreter, Language: in.Language, Markers: markers(in.Markers)})
	}
	for i, raw := range req.Vehicles {
		var in vehicleImport
		if err := decodeBody(raw, &in); err != nil {
			bad(bluelamp.RecordVehicle, i, err)
			_ = json.Unmarshal(raw, &in) // what can be read, so the rest of the row is checked too
		}
		imp.Vehicles = append(imp.Vehicles, &bluelamp.Vehicle{Reference: in.Reference, VRM: in.VRM, Make: in.Make, Model: in.Model,
			Colour: in.Colour, KeeperRef: in.KeeperRef, Markers: markers(in.Markers)})
	}
	for i, raw := range req.Locations {
		var in locationImport
		fields := map[string]string{}
		if err := decodeBody(raw, &in); err != nil {
			bad(bluelamp.RecordLocation, i, err)
			_ = json.Unmarshal(raw, &in)
		}
		l := &bluelamp.LocationRecord{Reference: in.Reference, Address: in.Address, Postcode: in.Postcode, Description: in.Description, Markers: markers(in.Markers)}
		if in.Position != nil {
			if l.Position = in.Position.position("position.", fields); len(fields) > 0 {
				bad(bluelamp.RecordLocation, i, bluelamp.InvalidFields(fields))
			}
		}
		imp.Locations = append(imp.Locations, l)
	}
	return imp, mergeRows(rows, nil), nil
}

func tooManyRows(n int) error {
	return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "too_many_rows",
		Message: fmt.Sprintf("the import holds %d records; at most %d may be imported at once: split the file", n, bluelamp.MaxImportRows)}
}

// --- CSV imports

// csvColumns are the columns of each kind's CSV, the required ones first.
var csvColumns = map[bluelamp.RecordKind][]string{
	bluelamp.RecordPerson: {"reference", "surname", "forenames", "aliases", "date_of_birth", "sex", "addresses", "description",
		"vulnerable", "vulnerability", "interpreter", "language", "markers"},
	bluelamp.RecordVehicle:  {"reference", "vrm", "make", "model", "colour", "keeper_ref", "markers"},
	bluelamp.RecordLocation: {"reference", "address", "postcode", "lat", "lon", "description", "markers"},
}

// csvRequired are how many of a kind's columns, from the first, a CSV must have.
var csvRequired = map[bluelamp.RecordKind]int{bluelamp.RecordPerson: 2, bluelamp.RecordVehicle: 2, bluelamp.RecordLocation: 2}

// parseCSVImport decodes a CSV import of one kind: a header row naming
// its columns in any order, then a record a row. Rows are numbered as a
// spreadsheet shows them, the header being row 1. A file that cannot be
// an import is refused whole; a row that cannot be read is a bad row, and
// the rest are still read.
func parseCSVImport(kind bluelamp.RecordKind, given bool, body []byte) (*bluelamp.RecordImport, []bluelamp.RowError, error) {
	if !kind.Valid() {
		msg := "must be persons, vehicles or locations"
		if !given {
			msg = "is required for a CSV import: persons, vehicles or locations"
		}
		return nil, nil, bluelamp.InvalidFields(map[string]string{"kind": msg})
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")) // the byte-order mark spreadsheets write
	if !utf8.Valid(body) {
		return nil, nil, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_utf8", Message: "the CSV is not valid UTF-8; save it as CSV UTF-8"}
	}
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, bluelamp.InvalidFields(map[string]string{"header": "the CSV is empty: it needs a header row and a row a record"})
	}
	if err != nil {
		return nil, nil, bluelamp.InvalidFields(map[string]string{"header": "the header row is not valid CSV"})
	}
	cols, err := csvHeader(kind, header)
	if err != nil {
		return nil, nil, err
	}
	imp := &bluelamp.RecordImport{Rows: map[bluelamp.RecordKind][]int{}}
	var rows []bluelamp.RowError
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if imp.Len() >= bluelamp.MaxImportRows {
			return nil, nil, tooManyRows(imp.Len() + 1)
		}
		fields := map[string]string{}
		switch {
		case err != nil:
			fields["row"] = "is not valid CSV (check its quotes)"
		case len(rec) != len(header):
			fields["row"] = fmt.Sprintf("has %d fields; the header has %d", len(rec), len(header))
		}
		get := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		switch kind {
		case bluelamp.RecordPerson:
			imp.Persons = append(imp.Persons, csvPerson(get, fields))
		case bluelamp.RecordVehicle:
			imp.Vehicles = append(imp.Vehicles, &bluelamp.Vehicle{Reference: get("reference"), VRM: get("vrm"), Make: get("make"),
				Model: get("model"), Colour: get("colour"), KeeperRef: get("keeper_ref"), Markers: csvMarkers(get("markers"), fields)})
		case bluelamp.RecordLocation:
			imp.Locations = append(imp.Locations, csvLocation(get, fields))
		}
		imp.Rows[kind] = append(imp.Rows[kind], row)
		if len(fields) > 0 {
			rows = append(rows, bluelamp.RowError{Kind: kind, Row: row, Reference: get("reference"), Errors: fields})
		}
	}
	if imp.Len() == 0 {
		return nil, nil, bluelamp.InvalidFields(map[string]string{"records": "the CSV has a header but no records"})
	}
	return imp, rows, nil
}

// csvHeader maps a kind's column names to their places in header.
func csvHeader(kind bluelamp.RecordKind, header []string) (map[string]int, error) {
	known := csvColumns[kind]
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch _, dup := cols[name]; {
		case !slices.Contains(known, name):
			return nil, bluelamp.InvalidFields(map[string]string{"header": fmt.Sprintf("column %d, %s, is not a %s column; the columns are %s",
				i+1, quoteText(h), kind, strings.Join(known, ", "))})
		case dup:
			return nil, bluelamp.InvalidFields(map[string]string{"header": fmt.Sprintf("column %s is named twice", name)})
		}
		cols[name] = i
	}
	for _, name := range known[:csvRequired[kind]] {
		if _, ok := cols[name]; !ok {
			return nil, bluelamp.InvalidFields(map[string]string{"header": fmt.Sprintf("a %s CSV needs a %s column", kind, name)})
		}
	}
	return cols, nil
}

func quoteText(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

func csvPerson(get func(string) string, fields map[string]string) *bluelamp.Person {
	p := &bluelamp.Person{Reference: get("reference"), Surname: get("surname"), Forenames: get("forenames"),
		DateOfBirth: bluelamp.Date(get("date_of_birth")), Sex: bluelamp.Sex(strings.ToUpper(get("sex"))), Description: get("description"),
		Vulnerability: get("vulnerability"), Language: get("language"), Markers: csvMarkers(get("markers"), fields)}
	p.Vulnerable = csvBool(get("vulnerable"), "vulnerable", fields)
	p.Interpreter = csvBool(get("interpreter"), "interpreter", fields)
	for i, item := range csvList(get("aliases")) {
		surname, forenames, _ := strings.Cut(item, ",")
		if strings.TrimSpace(surname) == "" {
			fields["aliases"] = fmt.Sprintf("name %d: write SURNAME, Forenames", i+1)
		}
		p.Aliases = append(p.Aliases, bluelamp.PersonName{Surname: strings.TrimSpace(surname), Forenames: strings.TrimSpace(forenames)})
	}
	for _, item := range csvList(get("addresses")) {
		a := bluelamp.PersonAddress{Address: item}
		if i := strings.LastIndexByte(item, ','); i >= 0 {
			if pc, ok := bluelamp.NormalisePostcode(item[i+1:]); ok {
				a = bluelamp.PersonAddress{Address: strings.TrimSpace(item[:i]), Postcode: pc}
			}
		}
		p.Addresses = append(p.Addresses, a)
	}
	return p
}

func csvLocation(get func(string) string, fields map[string]string) *bluelamp.LocationRecord {
	l := &bluelamp.LocationRecord{Reference: get("reference"), Address: get("address"), Postcode: get("postcode"),
		Description: get("description"), Markers: csvMarkers(get("markers"), fields)}
	lat, lon := get("lat"), get("lon")
	if lat == "" && lon == "" {
		return l
	}
	var p positionRequest
	for name, v := range map[string]**float64{"lat": &p.Lat, "lon": &p.Lon} {
		s := get(name)
		if s == "" {
			continue
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			*v = &n
		} else {
			fields[name] = "must be a number of degrees"
		}
	}
	if _, bad := fields["lat"]; bad {
		return l
	}
	if _, bad := fields["lon"]; bad {
		return l
	}
	l.Position = p.position("", fields)
	return l
}

// csvList splits a cell holding a list separated by semicolons.
func csvList(cell string) []string {
	var out []string
	for item := range strings.SplitSeq(cell, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func csvBool(cell, name string, fields map[string]string) bool {
	switch strings.ToLower(cell) {
	case "", "false", "no", "n", "0":
		return false
	case "true", "yes", "y", "1":
		return true
	}
	fields[name] = "must be yes or no (or true, false, 1, 0, or empty for no)"
	return false
}

// csvMarkers parses a markers cell: markers separated by semicolons, each
// written CODE[(SEVERITY)] DATE SOURCE[: DETAIL], e.g.
// "VI 2024-03-01 PNC: assaulted officer at arrest; DR(LOW) 2023-01-09 Wessex intelligence".
func csvMarkers(cell string, fields map[string]string) []bluelamp.Marker {
	var out []bluelamp.Marker
	for i, item := range csvList(cell) {
		head, detail, _ := strings.Cut(item, ":")
		words := strings.Fields(head)
		if len(words) < 3 {
			fields["markers"] = fmt.Sprintf("marker %d: write CODE DATE SOURCE: DETAIL, e.g. VI 2024-03-01 PNC: detail", i+1)
			continue
		}
		m := bluelamp.Marker{Code: bluelamp.MarkerCode(strings.ToUpper(words[0])), Date: bluelamp.Date(words[1]),
			Source: strings.Join(words[2:], " "), Detail: strings.TrimSpace(detail)}
		if code, severity, ok := strings.Cut(string(m.Code), "("); ok {
			m.Code, m.Severity = bluelamp.MarkerCode(code), bluelamp.Level(strings.TrimSuffix(severity, ")"))
		}
		out = append(out, m)
	}
	return out
}
