package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/eido"
)

// agencyDomain is the NG9-1-1 agency identifier an EIDO names the force
// by: the force's police.uk domain, as UK forces' own domains are formed.
func agencyDomain(f bluelamp.ForceID) string { return string(f) + ".police.uk" }

// handleEIDOExport hands an incident over as a NENA EIDO document. Callers'
// details are not in it: contacts stay in the force (DPA 2018 s.62).
func (s *Server) handleEIDOExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	inc, err := s.Store.FindIncidentByID(ctx, id)
	if err != nil {
		return err
	}
	log, err := s.Store.FindIncidentLog(ctx, id)
	if err != nil {
		return err
	}
	fs, err := s.Store.FindForceSettings(ctx)
	if err != nil {
		return err
	}
	force, err := s.Store.FindForceByID(ctx, inc.ForceID)
	if err != nil {
		return err
	}
	doc, err := eido.Export(inc, log, fs, eido.Agency{ForceID: force.ID, Name: force.Name, Domain: agencyDomain(force.ID)})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+eidoFilename(inc.Number)+`"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(doc)
	return err
}

// eidoFilename turns "12/27NOV26" into "incident-12-27NOV26.eido.json".
func eidoFilename(number string) string {
	b := []byte("incident-")
	for _, c := range []byte(number) {
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			b = append(b, c)
		default:
			b = append(b, '-')
		}
	}
	return string(b) + ".eido.json"
}

// handleEIDOImport opens a new incident from an EIDO document another
// system handed over, with its notes, in one transaction. A document that
// fails the schema is refused with the JSON pointer of every fault.
func (s *Server) handleEIDOImport(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia, Message: "send the EIDO document as Content-Type: application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, eido.MaxDocument))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "eido_too_large", Message: "the EIDO document is over 1 MiB"}
	}
	if err != nil {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_body", Message: "the request body could not be read", Err: err}
	}
	in, err := eido.Decode(body)
	if err != nil {
		return err
	}
	notes := make([]string, 0, len(in.Log))
	for _, e := range in.Log {
		notes = append(notes, eido.NoteText(e))
	}
	if err := s.Store.ImportIncident(r.Context(), in.Incident, notes); err != nil {
		return err
	}
	inc, err := s.Store.FindIncidentByID(r.Context(), in.Incident.ID)
	if err != nil {
		return err
	}
	return s.writeIncident(w, r, http.StatusCreated, inc)
}
