package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/exhibit"
)

// Evidence is what the exhibit and referral routes need beside the store.
type Evidence struct {
	// Files keeps exhibits' files; without it uploads and downloads answer 503.
	Files *exhibit.Files
	// Notify wakes the referral deliverer once a referral is recorded, so
	// it goes at once rather than at the next poll; nil does nothing.
	Notify func()
}

// uploadTime is how long an exhibit upload may take to arrive: a phone
// on a weak signal sends 25 MiB slowly, past the server's usual read timeout.
const uploadTime = 15 * time.Minute

// exhibitUploadLimit is the most an upload's body may hold: the file limit
// plus room for the metadata and the multipart framing. The file's own
// limit is applied, with its own message, as the file is stored.
func (s *Server) exhibitUploadLimit() int64 {
	if s.Evidence.Files == nil {
		return MaxBody
	}
	return s.Evidence.Files.MaxBytes + MaxBody
}

// exhibitRequest is the metadata part of an exhibit upload.
type exhibitRequest struct {
	Origin      bluelamp.ExhibitOrigin `json:"origin"`
	Description string                 `json:"description"`
	SeizedAt    *time.Time             `json:"seized_at"`
	SeizedFrom  string                 `json:"seized_from"`
	Position    *bluelamp.Position     `json:"position"`
	IncidentID  *bluelamp.IncidentID   `json:"incident_id"`
}

func errUpload(msg string) error {
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_upload", Message: msg}
}

// handleExhibitCreate receives an exhibit as multipart/form-data: a
// "metadata" part (JSON) and then a "file" part. The metadata is checked
// before the file is read, and the file is stored (synced, content-
// addressed) before the exhibit is recorded and acknowledged.
func (s *Server) handleExhibitCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := bluelamp.ForceActor(r.Context())
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia,
			Message: "send an exhibit as multipart/form-data: a metadata part (JSON), then a file part"}
	}
	if s.Evidence.Files == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "exhibits_unavailable", Message: "exhibit storage is not configured on this server"}
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
	mr, err := r.MultipartReader()
	if err != nil {
		return errUpload("the multipart body has no boundary")
	}
	part, err := nextPart(mr)
	if err != nil {
		return err
	}
	if part == nil || part.FormName() != "metadata" {
		return errUpload("the first part must be the metadata (JSON), before the file")
	}
	e, err := readExhibitMetadata(part)
	if err != nil {
		return err
	}
	if err := s.precheckExhibit(r.Context(), e); err != nil {
		return err
	}
	if part, err = nextPart(mr); err != nil {
		return err
	}
	if part == nil || part.FormName() != "file" {
		return errUpload("the second part must be the file")
	}
	up, err := s.Evidence.Files.Receive(a.ForceID, part, part.Header.Get("Content-Type"), part.FileName())
	if err != nil {
		return uploadError(err, s.Evidence.Files.MaxBytes)
	}
	defer up.Abort()
	if extra, err := nextPart(mr); err != nil || extra != nil {
		if err != nil {
			return err
		}
		return errUpload("send one metadata part and one file part, nothing more")
	}
	// Durable before it is recorded: a record never names a file a crash
	// could lose. (A record refused now leaves a file no record names.)
	if err := up.Commit(); err != nil {
		return err
	}
	e.SHA256, e.Size, e.ContentType, e.Filename = up.SHA256, up.Size, up.ContentType, part.FileName()
	if err := s.Store.CreateExhibit(r.Context(), e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"exhibit": e})
}

// precheckExhibit refuses, before the file is read, what the store would
// refuse after: an uploader with no collar number, a seizure too long ago,
// an incident not the force's. (The store checks again; this spares a phone sending 25 MiB to
// be told so, and the disk a file no exhibit names.) Both are reads.
func (s *Server) precheckExhibit(ctx context.Context, e *bluelamp.Exhibit) error {
	u, err := s.Store.FindSelf(ctx)
	if err != nil {
		return err
	}
	if u.CollarNumber == "" {
		return &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "collar_number_required",
			Message: "only an officer with a collar number may make an exhibit; ask a force admin to add yours"}
	}
	if !e.SeizedAt.IsZero() && s.Now().Sub(e.SeizedAt) > bluelamp.ExhibitBackdate {
		return bluelamp.InvalidFields(map[string]string{"seized_at": "must be within the last 72 hours"})
	}
	if e.IncidentID > 0 {
		if _, err := s.Store.FindIncidentByID(ctx, e.IncidentID); err != nil {
			return err
		}
	}
	return nil
}

// nextPart returns the next part, nil at the end, or a 400 for a
// malformed body (a 413 if it is over the limit).
func nextPart(mr *multipart.Reader) (*multipart.Part, error) {
	p, err := mr.NextPart()
	switch {
	case errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		return nil, uploadError(err, 0)
	}
	return p, nil
}

// uploadError turns a failure reading an upload into what the device is
// told: the file limit, or the body limit, as a 413.
func uploadError(err error, limit int64) error {
	if _, ok := errors.AsType[*bluelamp.Error](err); ok {
		return err
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		msg := "the upload is over the size limit"
		if limit > 0 {
			msg = fmt.Sprintf("the upload is over the %s limit for an exhibit", exhibit.Size(limit))
		}
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "exhibit_too_large", Message: msg}
	}
	// Anything else is the multipart framing (mime/multipart says which
	// only in its text) or the connection: either way the body is bad.
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_upload", Message: "the multipart body is malformed or cut short", Err: err}
}

// readExhibitMetadata decodes and checks the metadata part.
func readExhibitMetadata(part *multipart.Part) (*bluelamp.Exhibit, error) {
	if ct := part.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && mt != "text/plain") {
			return nil, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia, Message: "send the metadata part as application/json"}
		}
	}
	body, err := io.ReadAll(io.LimitReader(part, MaxBody+1))
	if err != nil {
		return nil, uploadError(err, 0)
	}
	if len(body) > MaxBody {
		return nil, &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "body_too_large", Message: fmt.Sprintf("the metadata part is over the %d-byte limit", MaxBody)}
	}
	var req exhibitRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	e := &bluelamp.Exhibit{Origin: req.Origin, Description: req.Description, SeizedFrom: req.SeizedFrom, Position: req.Position}
	if req.SeizedAt != nil {
		e.SeizedAt = *req.SeizedAt
	}
	if req.IncidentID != nil {
		if *req.IncidentID <= 0 {
			return nil, bluelamp.InvalidFields(map[string]string{"incident_id": "must be an incident id"})
		}
		e.IncidentID = *req.IncidentID
	}
	// Checked before the file is read: a bad form stores nothing.
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Server) handleExhibitList(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f bluelamp.ExhibitFilter
	if v := q.Get("incident_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return bluelamp.InvalidFields(map[string]string{"incident_id": "must be an incident id"})
		}
		f.IncidentID = new(bluelamp.IncidentID(id))
	}
	if v := q.Get("produced_by"); v != "" {
		f.ProducedBy = &v
	}
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 1000); err != nil {
		return err
	}
	es, total, err := s.Store.FindExhibits(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"exhibits": nonNilSlice(es), "total": total})
}

func (s *Server) handleExhibitGet(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.ExhibitID](r, "id")
	if err != nil {
		return err
	}
	e, err := s.Store.FindExhibitByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"exhibit": e})
}

// handleExhibitContent streams an exhibit's file, having hashed it again:
// a file that no longer matches its SHA-256 is refused and the failure
// logged. Viewing it is an audited consultation.
func (s *Server) handleExhibitContent(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.ExhibitID](r, "id")
	if err != nil {
		return err
	}
	e, err := s.Store.ViewExhibitContent(r.Context(), id, j)
	if err != nil {
		return err
	}
	if s.Evidence.Files == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "exhibits_unavailable", Message: "exhibit storage is not configured on this server"}
	}
	f, err := s.Evidence.Files.Read(e.ForceID, e.SHA256)
	if ie, ok := errors.AsType[*exhibit.IntegrityError](err); ok {
		s.Logger.ErrorContext(r.Context(), "exhibit integrity failure", "request_id", requestID(r.Context()), "exhibit", e.ID, "err", ie)
		if rerr := s.Store.RecordExhibitIntegrityFailure(r.Context(), e.ID, ie.Got); rerr != nil {
			s.Logger.ErrorContext(r.Context(), "exhibit integrity failure not logged", "exhibit", e.ID, "err", rerr)
		}
		return bluelamp.ErrExhibitIntegrity
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", e.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", contentDisposition(e))
	// RFC 9530: the digest of the whole file, as received and as checked.
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(e.SHA256)+":")
	http.ServeContent(w, r, "", e.CreatedAt, f)
	return nil
}

// contentDisposition names the download after the exhibit's reference and
// the device's file name, safely for every browser (RFC 6266, 8187).
func contentDisposition(e *bluelamp.Exhibit) string {
	name := strings.ReplaceAll(e.Reference, "/", "-")
	if e.Filename != "" {
		name += " " + e.Filename
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// custodyRequest is one handling of an exhibit.
type custodyRequest struct {
	Action    bluelamp.CustodyAction `json:"action"`
	At        *time.Time             `json:"at"`
	Location  string                 `json:"location"`
	Recipient string                 `json:"recipient"`
	Notes     string                 `json:"notes"`
}

func (s *Server) handleExhibitCustody(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.ExhibitID](r, "id")
	if err != nil {
		return err
	}
	var req custodyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c := &bluelamp.CustodyEntry{Action: req.Action, Location: req.Location, Recipient: req.Recipient, Notes: req.Notes}
	if req.At != nil {
		c.At = *req.At
	}
	e, err := s.Store.RecordCustody(r.Context(), id, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"exhibit": e})
}
