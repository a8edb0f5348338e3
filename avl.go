package bluelamp

import (
	"context"
	"math"
	"strconv"
	"time"
)

// Automatic vehicle location (AVL): units' phones and vehicle trackers
// report positions every few seconds. Reports are not events — a force of
// thousands of units sends hundreds a second — but breadcrumbs kept in
// batches for a force-set time; what they cause (a unit crossing a
// geofence) is an event. DESIGN §7: live positions live in memory.

// Event types of AVL.
const (
	EventGeofenceCreated  EventType = "geofence.created"
	EventGeofenceArchived EventType = "geofence.archived"
	EventGeofenceEntered  EventType = "unit.geofence_entered"
	EventGeofenceLeft     EventType = "unit.geofence_left"
	EventPositionsPruned  EventType = "positions.pruned"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventGeofenceCreated:  {Audience: operations},
		EventGeofenceArchived: {Audience: operations},
		EventGeofenceEntered:  {Audience: operations},
		EventGeofenceLeft:     {Audience: operations},
		EventPositionsPruned:  {Audience: admins},
	})
}

// PositionReport is one position fix of a unit.
type PositionReport struct {
	UnitID   UnitID    `json:"unit_id"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
	Accuracy float64   `json:"accuracy,omitempty"` // metres, 68% radius; 0 unknown
	Speed    *float64  `json:"speed,omitempty"`    // metres a second
	Heading  *float64  `json:"heading,omitempty"`  // degrees clockwise from true north
	At       time.Time `json:"at"`                 // when the fix was taken
	Source   string    `json:"source,omitempty"`   // "app", or "tracker:" and a device id
}

// Limits on what a position report may say.
const (
	MaxPositionAccuracy = 10_000.0           // metres: worse is no fix
	MaxPositionSpeed    = 150.0              // metres a second: faster than a police helicopter
	PositionClockSkew   = 2 * time.Minute    // how far ahead of the server a device's clock may run
	MaxPositionAge      = 7 * 24 * time.Hour // older reports are refused, even from a phone long offline
)

// PositionProblem is why a report was refused, with a stable code.
type PositionProblem struct {
	Index   int    `json:"index"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Check returns why r cannot be a unit's position at now, or nil. It does
// not know the unit's earlier reports: order is the tracker's to check.
func (r *PositionReport) Check(now time.Time) *PositionProblem {
	bad := func(code, msg string) *PositionProblem { return &PositionProblem{Code: code, Message: msg} }
	switch {
	case r.UnitID <= 0:
		return bad("unit_required", "unit_id is required")
	case math.IsNaN(r.Lat) || math.IsNaN(r.Lon) || r.Lat < -90 || r.Lat > 90 || r.Lon < -180 || r.Lon > 180:
		return bad("impossible_position", "latitude must be within ±90 and longitude within ±180 degrees")
	case r.Lat == 0 && r.Lon == 0:
		return bad("no_fix", "0, 0 is what a receiver without a fix reports, not a position")
	case math.IsNaN(r.Accuracy) || r.Accuracy < 0 || r.Accuracy > MaxPositionAccuracy:
		return bad("impossible_accuracy", "accuracy must be between 0 and "+strconv.Itoa(MaxPositionAccuracy)+" metres")
	case r.Speed != nil && (math.IsNaN(*r.Speed) || *r.Speed < 0 || *r.Speed > MaxPositionSpeed):
		return bad("impossible_speed", "speed must be between 0 and "+strconv.Itoa(MaxPositionSpeed)+" metres a second")
	case r.Heading != nil && (math.IsNaN(*r.Heading) || *r.Heading < 0 || *r.Heading >= 360):
		return bad("impossible_heading", "heading must be at least 0 and less than 360 degrees")
	case r.At.IsZero():
		return bad("time_required", "at, the time of the fix, is required")
	case r.At.After(now.Add(PositionClockSkew)):
		return bad("future", "the fix is timed "+r.At.Sub(now).Round(time.Second).String()+" in the future; check the device's clock")
	case r.At.Before(now.Add(-MaxPositionAge)):
		return bad("too_old", "the fix is more than "+MaxPositionAge.String()+" old")
	}
	if len(r.Source) > 100 {
		return bad("bad_source", "source must be at most 100 characters")
	}
	return nil
}

// Position returns the report's position.
func (r *PositionReport) Position() Position { return Position{Lat: r.Lat, Lon: r.Lon} }

// GeofenceID identifies a geofence; 0 is the force area.
type GeofenceID int64

// GeofenceKind says what a geofence is.
type GeofenceKind string

const (
	GeofenceForceArea GeofenceKind = "FORCE_AREA" // the force's boundary, from its settings
	GeofenceZone      GeofenceKind = "ZONE"       // drawn by a supervisor
)

// Geofence is an area whose crossing by a unit is an event.
type Geofence struct {
	ID        GeofenceID   `json:"id"`
	Kind      GeofenceKind `json:"kind"`
	Name      string       `json:"name"`
	Boundary  [][2]float64 `json:"boundary"` // closed ring of [lon, lat], GeoJSON order
	CreatedBy string       `json:"created_by,omitempty"`
	CreatedAt time.Time    `json:"created_at,omitzero"`
}

// MaxGeofenceVertices bounds a drawn zone.
const MaxGeofenceVertices = 10_000

// Validate reports every problem with a zone at once.
func (g *Geofence) Validate() error {
	fields := map[string]string{}
	if n := len([]rune(g.Name)); n == 0 || n > 100 {
		fields["name"] = "is required (at most 100 characters)"
	}
	if msg := checkRing(g.Boundary); msg != "" {
		fields["boundary"] = msg
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// checkRing returns what is wrong with a closed [lon, lat] ring, or "".
func checkRing(ring [][2]float64) string {
	n := len(ring)
	switch {
	case n < 4:
		return "needs at least 3 corners and the first repeated at the end"
	case n > MaxGeofenceVertices:
		return "has more than " + strconv.Itoa(MaxGeofenceVertices) + " corners"
	case ring[0] != ring[n-1]:
		return "must be closed: repeat the first corner at the end"
	}
	for k, c := range ring {
		p := Position{Lat: c[1], Lon: c[0]}
		if !p.Valid() {
			return "corner " + strconv.Itoa(k) + " is not [longitude, latitude] in degrees"
		}
	}
	return ""
}

// GeofenceCrossing is a unit entering or leaving a geofence: the payload
// of unit.geofence_entered and unit.geofence_left.
type GeofenceCrossing struct {
	UnitID     UnitID       `json:"unit_id"`
	CallSign   string       `json:"call_sign"`
	GeofenceID GeofenceID   `json:"geofence_id"`
	Kind       GeofenceKind `json:"kind"`
	Geofence   string       `json:"geofence"` // its name
	Entered    bool         `json:"entered"`
	At         time.Time    `json:"at"` // the fix that showed it
	Position   Position     `json:"position"`
}

// PositionBatch is a batch of reports for the store to keep. Reports are
// new fixes; Older are fixes no newer than their unit's last, kept only if
// they are not already held; Crossings become events.
type PositionBatch struct {
	Reports   []PositionReport
	Older     []PositionReport
	Crossings []GeofenceCrossing
	// Held is set by the store: for each of Older, whether it was already
	// held (a replay) rather than new (out of order).
	Held []bool
}

// PositionStore keeps position history and geofences.
type PositionStore interface {
	// QueuePositions queues a batch for the writer and returns at once;
	// batches are written in the order queued. wait reports when the
	// batch is durable. The batch's reports become breadcrumbs (one per
	// unit and time: a report already held is skipped), each unit's last
	// known position moves forward to its newest report, and its crossings
	// are appended as events, all in one transaction.
	QueuePositions(ctx context.Context, b *PositionBatch) (wait func() error, err error)
	// FindTrack returns a unit's breadcrumbs in [from, to), oldest first,
	// at most limit; an officer's movements are personal data, so it takes
	// a justification and is audited.
	FindTrack(ctx context.Context, unit UnitID, from, to time.Time, limit int, j Justification) ([]PositionReport, error)
	// PrunePositions deletes breadcrumbs older than the force's retention,
	// recording how many as an event; it returns how many it deleted.
	PrunePositions(ctx context.Context) (int, error)
	// CreateGeofence adds a zone.
	CreateGeofence(ctx context.Context, g *Geofence) error
	// FindGeofences returns the force's zones (not the force area).
	FindGeofences(ctx context.Context) ([]*Geofence, error)
	// ArchiveGeofence retires a zone; its crossings stay in the log.
	ArchiveGeofence(ctx context.Context, id GeofenceID) error
}
