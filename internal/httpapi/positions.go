package httpapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/avl"
)

// MaxPositionBatch is the most reports one request may carry.
const MaxPositionBatch = 2000

// positionIn is one report as a client sends it; the source is ours to say.
type positionIn struct {
	UnitID   bluelamp.UnitID `json:"unit_id"`
	Lat      float64         `json:"lat"`
	Lon      float64         `json:"lon"`
	Accuracy float64         `json:"accuracy"`
	Speed    *float64        `json:"speed"`
	Heading  *float64        `json:"heading"`
	At       time.Time       `json:"at"`
}

type positionsRequest struct {
	Positions []positionIn `json:"positions"`
}

// handlePositions takes a batch of position reports from a phone or an
// integration. Each report is judged alone: the answer says how many were
// new, how many were already held, and why any were refused.
func (s *Server) handlePositions(w http.ResponseWriter, r *http.Request) error {
	if s.Tracker == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "avl_unavailable", Message: "position tracking is not running"}
	}
	req, err := s.decodePositions(r)
	if err != nil {
		return err
	}
	if len(req.Positions) == 0 || len(req.Positions) > MaxPositionBatch {
		return bluelamp.InvalidFields(map[string]string{"positions": fmt.Sprintf("must hold 1 to %d reports", MaxPositionBatch)})
	}
	source := "api"
	if a := bluelamp.ActorFrom(r.Context()); a != nil && a.Kind == bluelamp.ActorUser {
		source = "app"
	}
	reports := make([]bluelamp.PositionReport, len(req.Positions))
	for k, p := range req.Positions {
		reports[k] = bluelamp.PositionReport{UnitID: p.UnitID, Lat: p.Lat, Lon: p.Lon, Accuracy: p.Accuracy, Speed: p.Speed, Heading: p.Heading,
			At: p.At, Source: source}
	}
	return s.ingest(w, r, reports)
}

// decodePositions reads a positions batch: the fast decoder for the usual
// well-formed batch, the general one (and its errors) for the rest.
func (s *Server) decodePositions(r *http.Request) (positionsRequest, error) {
	var req positionsRequest
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return req, decodeJSON(r, &req) // its media type error
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return req, bodyError(err)
	}
	if req, err := decodePositionsFast(body); err == nil {
		return req, nil
	}
	return req, decodeBody(body, &req)
}

// ingest judges reports and answers with the result: 200 when any report
// was taken or already held, 400 naming each report when none was.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request, reports []bluelamp.PositionReport) error {
	// An officer reports only for the unit they are booked on to.
	var refused []bluelamp.PositionProblem
	if own, err := s.ownUnit(r.Context()); err != nil {
		return err
	} else if own >= 0 {
		kept := reports[:0:0]
		index := []int{}
		for k, rp := range reports {
			if rp.UnitID != own {
				refused = append(refused, bluelamp.PositionProblem{Index: k, Code: "not_your_unit", Message: "you report only for the unit you are booked on to"})
				continue
			}
			kept = append(kept, rp)
			index = append(index, k)
		}
		res, err := s.Tracker.Ingest(r.Context(), kept)
		if err != nil {
			return err
		}
		for k := range res.Rejected {
			res.Rejected[k].Index = index[res.Rejected[k].Index]
		}
		res.Rejected = append(refused, res.Rejected...)
		return answerPositions(w, res)
	}
	res, err := s.Tracker.Ingest(r.Context(), reports)
	if err != nil {
		return err
	}
	return answerPositions(w, res)
}

func answerPositions(w http.ResponseWriter, res *avl.Result) error {
	if res.Accepted == 0 && res.Duplicates == 0 && len(res.Rejected) > 0 {
		fields := map[string]string{}
		for _, p := range res.Rejected {
			fields["positions."+strconv.Itoa(p.Index)] = p.Code + ": " + p.Message
		}
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "positions_rejected", Message: "no position report in the batch could be taken", Fields: fields}
	}
	return writeJSON(w, http.StatusOK, res)
}

// ownUnit returns the unit an officer without a control-room role is
// booked on to, or -1 when the caller may report for any unit.
func (s *Server) ownUnit(ctx context.Context) (bluelamp.UnitID, error) {
	a := bluelamp.ActorFrom(ctx)
	if a == nil || a.Kind != bluelamp.ActorUser || a.HasRole(controlRoom...) {
		return -1, nil
	}
	u, err := s.Store.FindBooking(ctx)
	if bluelamp.KindOf(err) == bluelamp.KindNotFound {
		return 0, &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "not_your_unit", Message: "book on to a unit before reporting its position"}
	}
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

// knots is a knot in metres a second: OsmAnd-protocol trackers send speed
// in knots.
const knots = 1852.0 / 3600

// handleOsmAnd takes one fix in the OsmAnd protocol that vehicle trackers
// and the Traccar Client speak (query or form parameters id, lat, lon,
// timestamp, speed in knots, bearing, altitude, accuracy, batt). The device
// id names the unit through its device_id. Trackers that cannot send a
// bearer token may send the token as the password of HTTP Basic auth.
func (s *Server) handleOsmAnd(w http.ResponseWriter, r *http.Request) error {
	if s.Tracker == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "avl_unavailable", Message: "position tracking is not running"}
	}
	if err := r.ParseForm(); err != nil {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_form", Message: "the parameters could not be read", Err: err}
	}
	rep, device, err := parseOsmAnd(r.Form, s.Now())
	if err != nil {
		return err
	}
	id, ok, err := s.Tracker.UnitForDevice(r.Context(), device)
	if err != nil {
		return err
	}
	if !ok {
		return bluelamp.InvalidFields(map[string]string{"id": "no unit of your force has device_id " + strconv.Quote(device)})
	}
	rep.UnitID = id
	res, err := s.Tracker.Ingest(r.Context(), []bluelamp.PositionReport{*rep})
	if err != nil {
		return err
	}
	if len(res.Rejected) > 0 {
		p := res.Rejected[0]
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: p.Code, Message: p.Message}
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// parseOsmAnd reads one OsmAnd-protocol fix and its device id.
func parseOsmAnd(q url.Values, now time.Time) (*bluelamp.PositionReport, string, error) {
	fields := map[string]string{}
	device := q.Get("id")
	if device == "" {
		device = q.Get("deviceid")
	}
	if device == "" || len(device) > 64 {
		fields["id"] = "is required: the tracker's device id (at most 64 characters)"
	}
	num := func(name string, required bool) *float64 {
		v := q.Get(name)
		if v == "" {
			if required {
				fields[name] = "is required"
			}
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			fields[name] = "must be a number"
			return nil
		}
		return &f
	}
	var lat, lon *float64
	if loc := q.Get("location"); loc != "" && q.Get("lat") == "" {
		a, b, _ := strings.Cut(loc, ",")
		la, err1 := strconv.ParseFloat(a, 64)
		lo, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil {
			fields["location"] = "must be latitude,longitude"
		} else {
			lat, lon = &la, &lo
		}
	} else {
		lat, lon = num("lat", true), num("lon", true)
	}
	speed, bearing, accuracy := num("speed", false), num("bearing", false), num("accuracy", false)
	if bearing == nil {
		bearing = num("heading", false)
	}
	at := now
	if ts := q.Get("timestamp"); ts != "" {
		t, err := osmandTime(ts)
		if err != nil {
			fields["timestamp"] = "must be Unix seconds, Unix milliseconds or an RFC 3339 time"
		}
		at = t
	}
	if len(fields) > 0 {
		return nil, "", bluelamp.InvalidFields(fields)
	}
	rep := &bluelamp.PositionReport{Lat: *lat, Lon: *lon, At: at, Heading: bearing, Source: "tracker:" + device}
	if speed != nil {
		ms := *speed * knots
		rep.Speed = &ms
	}
	if accuracy != nil {
		rep.Accuracy = *accuracy
	}
	if rep.Heading != nil && *rep.Heading == 360 {
		*rep.Heading = 0
	}
	return rep, device, nil
}

// osmandTime reads a fix time as trackers send it.
func osmandTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > 1e12 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e11 {
		return time.UnixMicro(int64(f * 1e6)).UTC(), nil
	}
	return time.Parse(time.RFC3339, v)
}

// basicAsBearer lets a tracker that can only put credentials in its URL
// (https://any:TOKEN@host/...) use an API token: the Basic password
// becomes the bearer token. It applies to the OsmAnd route only.
func basicAsBearer(r *http.Request) {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Basic ") {
		return
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
	if err != nil {
		return
	}
	if _, pass, ok := strings.Cut(string(raw), ":"); ok && pass != "" {
		r.Header.Set("Authorization", "Bearer "+pass)
	}
}

// handleTrack returns a unit's breadcrumbs over a time range: where its
// officers went, so it needs a justification and is audited.
func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.UnitID](r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	now := s.Now()
	from, to := now.Add(-time.Hour), now
	if t, err := queryTime(q, "from"); err != nil {
		return err
	} else if t != nil {
		from = *t
	}
	if t, err := queryTime(q, "to"); err != nil {
		return err
	} else if t != nil {
		to = *t
	}
	if !to.After(from) || to.Sub(from) > 31*24*time.Hour {
		return bluelamp.InvalidFields(map[string]string{"to": "must be after from, and the range at most 31 days"})
	}
	limit, err := queryInt(q, "limit", 5000, 1, 10000)
	if err != nil {
		return err
	}
	j, err := justification(r)
	if err != nil {
		return err
	}
	track, err := s.Store.FindTrack(r.Context(), id, from, to, limit, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"unit_id": id, "from": from, "to": to, "positions": track})
}

// handlePositionStream streams units' positions within a box as Server-Sent
// Events: first each unit's latest, then at most one fix per unit per
// second. bbox is minLon,minLat,maxLon,maxLat (GeoJSON order).
func (s *Server) handlePositionStream(w http.ResponseWriter, r *http.Request) error {
	if s.Feed == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "avl_unavailable", Message: "position tracking is not running"}
	}
	box := avl.World
	if v := r.URL.Query().Get("bbox"); v != "" {
		var err error
		if box, err = parseBBox(v); err != nil {
			return err
		}
	}
	a := bluelamp.ActorFrom(r.Context())
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(frame []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := w.Write(frame); err != nil {
			return err
		}
		return rc.Flush()
	}
	// Frames and heartbeats come from two goroutines.
	var mu sync.Mutex
	locked := func(frame []byte) error {
		mu.Lock()
		defer mu.Unlock()
		return write(frame)
	}
	// The heartbeat stops writing before the handler returns: the
	// response is not the handler's after that.
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { s.heartbeat(ctx, cancel, r, locked) })
	_ = s.Feed.Subscribe(ctx, a.ForceID, box, func(fixes []byte) error {
		frame := make([]byte, 0, len(fixes)+32)
		frame = append(frame, "event: positions\ndata: "...)
		frame = append(frame, fixes...)
		return locked(append(frame, "\n\n"...))
	})
	return nil
}

// parseBBox reads minLon,minLat,maxLon,maxLat.
func parseBBox(v string) (avl.Box, error) {
	bad := bluelamp.InvalidFields(map[string]string{"bbox": "must be minLon,minLat,maxLon,maxLat in degrees, min below max"})
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return avl.Box{}, bad
	}
	var n [4]float64
	for k, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return avl.Box{}, bad
		}
		n[k] = f
	}
	b := avl.Box{MinLon: n[0], MinLat: n[1], MaxLon: n[2], MaxLat: n[3]}
	if b.MinLat >= b.MaxLat || b.MinLon >= b.MaxLon || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon < -180 || b.MaxLon > 180 {
		return avl.Box{}, bad
	}
	return b, nil
}

// geofenceRequest draws a zone.
type geofenceRequest struct {
	Name     string       `json:"name"`
	Boundary [][2]float64 `json:"boundary"`
}

func (s *Server) handleGeofences(w http.ResponseWriter, r *http.Request) error {
	zones, err := s.Store.FindGeofences(r.Context())
	if err != nil {
		return err
	}
	fs, err := s.Store.FindForceSettings(r.Context())
	if err != nil {
		return err
	}
	out := []*bluelamp.Geofence{}
	if len(fs.Area.Boundary) >= 4 {
		out = append(out, &bluelamp.Geofence{ID: 0, Kind: bluelamp.GeofenceForceArea, Name: "force area", Boundary: fs.Area.Boundary})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"geofences": append(out, zones...)})
}

func (s *Server) handleGeofenceCreate(w http.ResponseWriter, r *http.Request) error {
	var req geofenceRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	g := &bluelamp.Geofence{Name: req.Name, Boundary: req.Boundary}
	if err := s.Store.CreateGeofence(r.Context(), g); err != nil {
		return err
	}
	s.fencesChanged(r.Context())
	return writeJSON(w, http.StatusCreated, g)
}

func (s *Server) handleGeofenceArchive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.GeofenceID](r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.ArchiveGeofence(r.Context(), id); err != nil {
		return err
	}
	s.fencesChanged(r.Context())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// fencesChanged has this node's tracker judge the next fix by the new
// fences at once; other nodes hear of them through the log.
func (s *Server) fencesChanged(ctx context.Context) {
	if a := bluelamp.ActorFrom(ctx); a != nil && s.Tracker != nil {
		s.Tracker.Changed(a.ForceID)
	}
}
