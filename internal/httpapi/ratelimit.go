package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Record checks are limited per user and per node: a token bucket holding
// RecordCheckBurst checks, refilled at RecordChecksPerMinute. An officer
// at a scene can make several checks at once; a script trawling the
// records cannot. The limit is in memory, so a deployment of n nodes
// allows up to n times it; the audit trail records every check whichever
// node served it.
const (
	RecordChecksPerMinute = 30
	RecordCheckBurst      = 10
)

// rateLimiter is a token bucket per user.
type rateLimiter struct {
	perMinute float64
	burst     float64
	now       func() time.Time

	mu sync.Mutex
	// buckets holds each user's bucket, and swept when idle buckets were
	// last dropped; guarded by mu.
	buckets map[bluelamp.UserID]*bucket
	swept   time.Time
}

// bucket is one user's tokens as of at, and the times of the checks they
// made in the last minute, for the message.
type bucket struct {
	tokens float64
	at     time.Time
	recent []time.Time
}

// newRateLimiter returns a limiter of perMinute with bursts of burst,
// reading the time from now.
func newRateLimiter(perMinute, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{perMinute: float64(perMinute), burst: float64(burst), now: now, buckets: map[bluelamp.UserID]*bucket{}}
}

// take spends one of user's tokens. When there is none it reports false,
// how many checks the user made in the last minute, and how long until
// the next token.
func (l *rateLimiter) take(user bluelamp.UserID) (ok bool, made int, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[user]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[user] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed.Minutes()*l.perMinute)
		b.at = now
	}
	i := 0
	for i < len(b.recent) && now.Sub(b.recent[i]) >= time.Minute {
		i++
	}
	b.recent = b.recent[i:]
	if b.tokens < 1 {
		wait = time.Duration((1 - b.tokens) / l.perMinute * float64(time.Minute))
		return false, len(b.recent), wait
	}
	b.tokens--
	b.recent = append(b.recent, now)
	return true, len(b.recent), 0
}

// sweep drops the buckets of users idle long enough to have refilled, at
// most once a minute, so the map holds only recent users.
func (l *rateLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(l.burst / l.perMinute * float64(time.Minute))
	for user, b := range l.buckets {
		if now.Sub(b.at) >= max(full, time.Minute) {
			delete(l.buckets, user)
		}
	}
}

// allow spends a check of the caller's, or sets Retry-After on w and
// returns a KindRateLimited error saying how long to wait.
func (l *rateLimiter) allow(w http.ResponseWriter, r *http.Request) error {
	a := bluelamp.ActorFrom(r.Context())
	ok, made, wait := l.take(a.UserID)
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &bluelamp.Error{Kind: bluelamp.KindRateLimited, Code: "rate_limited",
		Message: fmt.Sprintf("You have made %d record checks in the last minute; wait %d %s", made, secs, unit)}
}
