package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// HeaderIdempotencyKey names an action a device took, so sending it again
// (after a lost answer, or when a phone that was offline replays its queue)
// applies it at most once. HeaderReplayed marks an answer to such a replay.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
)

// maxSavedAnswer bounds the answer kept for replays; a longer one is
// replayed as a bare acknowledgement.
const maxSavedAnswer = 64 << 10

var idempotencyKeyPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,128}$`)

// clientOp starts an op for a write carrying an Idempotency-Key: it hashes
// the request's body as the handler reads it, and captures the answer.
// It returns nil for requests without the header.
func clientOp(w http.ResponseWriter, r *http.Request) (*bluelamp.ClientOp, *answerRecorder, *http.Request, error) {
	key := r.Header.Get(HeaderIdempotencyKey)
	if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil, nil, r, nil
	}
	if !idempotencyKeyPattern.MatchString(key) {
		return nil, nil, r, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_idempotency_key",
			Message: HeaderIdempotencyKey + " must be 8 to 128 letters, digits, dots, colons, hyphens or underscores (a UUID is best)"}
	}
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	hb := &hashingBody{ReadCloser: r.Body, h: h}
	r.Body = hb
	op := &bluelamp.ClientOp{Key: key, RequestHash: hb.sum}
	r = r.WithContext(bluelamp.WithClientOp(r.Context(), op))
	return op, &answerRecorder{ResponseWriter: w}, r, nil
}

// hashingBody hashes a request body as it is read.
type hashingBody struct {
	io.ReadCloser
	mu sync.Mutex
	h  hash.Hash
}

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.h.Write(p[:n])
	b.mu.Unlock()
	return n, err
}

// sum is the digest of what has been read: by the store's first write the
// handler has decoded the whole request.
func (b *hashingBody) sum() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.h.Sum(nil)
}

// answerRecorder keeps a copy of the answer, to save for replays.
type answerRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	over   bool
}

func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerRecorder) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if !a.over {
		if a.body.Len()+len(p) > maxSavedAnswer {
			a.over = true
			a.body.Reset()
		} else {
			a.body.Write(p)
		}
	}
	return a.ResponseWriter.Write(p)
}

func (a *answerRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// saveAnswer keeps a successful answer of an op the store applied. The op
// is applied whether or not this succeeds; a replay without a saved answer
// gets a bare acknowledgement.
func (s *Server) saveAnswer(ctx context.Context, op *bluelamp.ClientOp, a *answerRecorder) {
	if !op.Claimed() || a.status < 200 || a.status > 299 || a.over {
		return
	}
	// The answer is saved even if the device has gone: it will ask again.
	ctx = context.WithoutCancel(ctx)
	if err := s.Store.SaveClientOpAnswer(ctx, op.Key, a.status, a.body.Bytes()); err != nil {
		s.Logger.WarnContext(ctx, "save answer for replays", "request_id", requestID(ctx), "error", err)
	}
}

// answerWait is how long a replay waits for the first answer while the
// first copy of the action is still being answered.
const answerWait = 2 * time.Second

// writeReplay answers a replayed op with the first answer, or with an
// acknowledgement when that was not kept. A copy that arrives while the
// first is still being answered waits a moment for its answer.
func (s *Server) writeReplay(w http.ResponseWriter, r *http.Request, rp *bluelamp.Replayed) {
	for deadline := time.Now().Add(answerWait); rp.Status == 0 && time.Since(rp.AppliedAt) < time.Minute && time.Now().Before(deadline); {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
		if got, err := s.Store.FindClientOpAnswer(r.Context(), rp.Key); err == nil {
			rp = got
		}
	}
	w.Header().Set(HeaderReplayed, "true")
	if rp.Status != 0 && json.Valid(rp.Body) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.Status)
		_, _ = w.Write(rp.Body)
		return
	}
	_ = writeJSON(w, http.StatusOK, map[string]any{"replayed": true, "applied_at": rp.AppliedAt.UTC().Format(time.RFC3339Nano)})
}

// replayOf returns err's replay, if it is one.
func replayOf(err error) (*bluelamp.Replayed, bool) {
	var rp *bluelamp.Replayed
	ok := errors.As(err, &rp)
	return rp, ok
}
