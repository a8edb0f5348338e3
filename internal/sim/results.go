package sim

import (
	"slices"
	"time"
)

// Operations the report measures, in the order it shows them.
const (
	OpCreateContact  = "create contact"  // POST /api/v1/contacts
	OpDuplicateCheck = "duplicate check" // GET /api/v1/duplicates
	OpRecommend      = "recommend"       // GET /api/v1/incidents/{id}/recommendations
	OpDispatch       = "dispatch"        // POST /api/v1/incidents/{id}/assignments
	OpStatusChange   = "status change"   // POST /api/v1/units/{id}/status
	OpPositionBatch  = "position batch"  // POST /api/v1/positions
	OpClose          = "close incident"  // POST /api/v1/incidents/{id}/close
	OpDeclareMajor   = "declare major"   // POST /api/v1/incidents/{id}/major
	OpEventDelivery  = "event delivery"  // commit (event time) to a console's stream read
	OpMetricsScrape  = "metrics scrape"  // GET /metrics
)

// Ops lists the operations in report order.
var Ops = []string{OpCreateContact, OpDuplicateCheck, OpRecommend, OpDispatch, OpStatusChange,
	OpPositionBatch, OpClose, OpDeclareMajor, OpEventDelivery}

// Results is everything a run measured: what the report is written from.
// Durations are latencies measured from each request's intended send time,
// so a simulator or server that falls behind shows in them (coordinated
// omission is not hidden).
type Results struct {
	Profile        string        `json:"profile"`
	Seed           int64         `json:"seed"`
	Target         string        `json:"target"`
	Engine         string        `json:"engine"` // the target's database engine, from /readyz if it says
	Forces         int           `json:"forces"`
	Units          int           `json:"units"`
	OnDutyUnits    int           `json:"on_duty_units"`
	RateMultiplier float64       `json:"rate_multiplier"`
	Acceleration   float64       `json:"acceleration"`
	Started        time.Time     `json:"started"`     // wall clock, when load began (after set-up)
	Ended          time.Time     `json:"ended"`       // wall clock
	SimStarted     time.Time     `json:"sim_started"` // simulated clock at Started
	SimEnded       time.Time     `json:"sim_ended"`
	SetupTook      time.Duration `json:"setup_took"`

	Ops        []OpStats         `json:"ops"`        // one per operation with any samples, in Ops order
	Errors     []ErrorCount      `json:"errors"`     // by operation and kind, most first
	Counts     Counts            `json:"counts"`     // what happened
	Attendance []GradeAttendance `json:"attendance"` // per grade that has a target
	Windows    []Window          `json:"windows"`    // per WindowSize, in time order
	WindowSize time.Duration     `json:"window_size"`
	Server     []ServerSample    `json:"server"` // the target's /metrics over the run
	Self       []SelfSample      `json:"self"`   // the simulator's own cost over the run
}

// OpStats summarises one operation over the whole run.
type OpStats struct {
	Op        string        `json:"op"`
	Count     int           `json:"count"`  // completed, including errors
	Errors    int           `json:"errors"` // of Count
	PerSecond float64       `json:"per_second"`
	P50       time.Duration `json:"p50"`
	P95       time.Duration `json:"p95"`
	P99       time.Duration `json:"p99"`
	Max       time.Duration `json:"max"`
	// SendLag is the 99th percentile of how late the simulator sent the
	// request after its intended time: its own overhead. A large value
	// means the simulator, not the server, was the bottleneck.
	SendLagP99 time.Duration `json:"send_lag_p99"`
}

// ErrorCount is how many times an operation failed one way, with an
// example message.
type ErrorCount struct {
	Op      string `json:"op"`
	Kind    string `json:"kind"` // "http 409 unit_committed", "timeout", "connection", …
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// Counts is what the run did. Consistency holds for a clean run:
// Calls = ContactsCreated + ContactErrors; ContactsCreated =
// IncidentsOpened + DuplicatesLinked.
type Counts struct {
	Calls            int `json:"calls"`            // calls the generator produced and were due
	ContactsCreated  int `json:"contacts_created"` // POST /contacts answered 201
	ContactErrors    int `json:"contact_errors"`
	IncidentsOpened  int `json:"incidents_opened"`  // contacts that opened a new incident
	DuplicatesLinked int `json:"duplicates_linked"` // contacts linked to an open incident
	RepeatCalls      int `json:"repeat_calls"`      // calls from a repeat caller's number
	MajorIncidents   int `json:"major_incidents"`
	Assignments      int `json:"assignments"`       // dispatches answered 201
	Overrides        int `json:"overrides"`         // dispatches not of the first recommendation
	NoUnitAvailable  int `json:"no_unit_available"` // dispatch attempts with no recommendation
	Arrivals         int `json:"arrivals"`          // units reaching a scene
	Cleared          int `json:"cleared"`           // units clearing a scene
	IncidentsClosed  int `json:"incidents_closed"`
	PositionFixes    int `json:"position_fixes"`    // fixes sent
	PositionsTaken   int `json:"positions_taken"`   // fixes the server reported taken
	EventsReceived   int `json:"events_received"`   // on all console streams
	StreamReconnects int `json:"stream_reconnects"` // console streams dropped and resumed (should be 0)
}

// GradeAttendance is how often units reached incidents of one grade within
// the force's target, timed on the simulated clock from the call to the
// first unit at scene.
type GradeAttendance struct {
	Grade    string        `json:"grade"`
	Target   string        `json:"target"` // e.g. "15m urban / 20m rural"
	Attended int           `json:"attended"`
	Met      int           `json:"met"`
	Waiting  int           `json:"waiting"`  // not yet attended at the end
	Breached int           `json:"breached"` // attended late, or waiting past target at the end
	P50      time.Duration `json:"p50"`
	P90      time.Duration `json:"p90"`
}

// Window is one slice of the run, for the charts.
type Window struct {
	Offset time.Duration `json:"offset"` // from Started
	Ops    []WindowOp    `json:"ops"`
}

// WindowOp is one operation's figures in a Window.
type WindowOp struct {
	Op     string        `json:"op"`
	Count  int           `json:"count"`
	Errors int           `json:"errors"`
	P50    time.Duration `json:"p50"`
	P99    time.Duration `json:"p99"`
	Max    time.Duration `json:"max"`
}

// ServerSample is one scrape of the target's /metrics.
type ServerSample struct {
	Offset     time.Duration `json:"offset"`
	CPUPercent float64       `json:"cpu_percent"` // of one core, since the previous sample
	RSSBytes   float64       `json:"rss_bytes"`
	HeapBytes  float64       `json:"heap_bytes"`
	Goroutines float64       `json:"goroutines"`
}

// SelfSample is the simulator's own cost at one moment.
type SelfSample struct {
	Offset     time.Duration `json:"offset"`
	CPUPercent float64       `json:"cpu_percent"` // of one core, since the previous sample
	HeapBytes  float64       `json:"heap_bytes"`
	InFlight   int           `json:"in_flight"` // requests under way
}

// Op returns the stats of op, or nil.
func (r *Results) Op(op string) *OpStats {
	i := slices.IndexFunc(r.Ops, func(s OpStats) bool { return s.Op == op })
	if i < 0 {
		return nil
	}
	return &r.Ops[i]
}

// percentile returns the p-th percentile (0 < p ≤ 1) of sorted by the
// nearest-rank method; zero for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
