// Package referral delivers safeguarding referrals to partner
// organisations from the durable outbox the store keeps: by email over
// SMTP and by a webhook signed with HMAC-SHA256, retrying with exponential
// backoff and jitter, recording every attempt. It also holds the signature
// check a partner's receiver runs.
package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Headers of a webhook delivery.
const (
	HeaderSignature = "Bluelamp-Signature" // "sha256=" and the hex HMAC-SHA256 of TIMESTAMP "." BODY
	HeaderTimestamp = "Bluelamp-Timestamp" // Unix seconds when the delivery was signed
	HeaderDelivery  = "Bluelamp-Delivery"  // the delivery id: the same on every retry, for the receiver to drop duplicates
)

// Message is what a partner receives: the referral's envelope and the
// fields its type lists, nothing more (DOMAIN 5.4).
type Message struct {
	Reference      string                  `json:"reference"`
	Type           bluelamp.ReferralType   `json:"type"`
	TypeLabel      string                  `json:"type_label"`
	Gateway        string                  `json:"gateway"`
	Classification bluelamp.Classification `json:"classification"`
	Force          bluelamp.ForceID        `json:"force"`
	Incident       string                  `json:"incident_number,omitempty"`
	ReferredBy     string                  `json:"referred_by"` // the officer's collar number
	CreatedAt      time.Time               `json:"created_at"`
	Consent        bluelamp.Consent        `json:"consent"`
	Fields         []Field                 `json:"fields"`
	Delivery       bluelamp.DeliveryID     `json:"delivery_id"`
}

// Field is one field of a referral as sent, in its type's order.
type Field struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// NewMessage builds the message for a claimed delivery. It takes only the
// fields the referral's type lists, in its order, whatever else the record
// may hold.
func NewMessage(job *bluelamp.DeliveryJob) Message {
	r := job.Referral
	info, _ := r.Type.Info()
	m := Message{Reference: r.Reference, Type: r.Type, TypeLabel: info.Label, Gateway: info.Gateway,
		Classification: bluelamp.ClassOfficialSensitive, Force: r.ForceID, Incident: r.Incident, ReferredBy: r.ReferredBy,
		CreatedAt: r.CreatedAt, Consent: r.Consent, Fields: []Field{}, Delivery: job.ID}
	for _, f := range info.Fields {
		if v := r.Fields[f.Name]; v != "" {
			m.Fields = append(m.Fields, Field{Name: f.Name, Label: f.Label, Value: v})
		}
	}
	return m
}

// Sign returns the Bluelamp-Signature value for body sent at ts. The
// timestamp is signed with the body, so a captured delivery cannot be
// replayed later with a fresh timestamp.
func Sign(secret []byte, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors Verify returns.
var (
	ErrNoSignature  = errors.New("no Bluelamp-Signature or Bluelamp-Timestamp header")
	ErrBadSignature = errors.New("the signature does not match the body")
	ErrStale        = errors.New("the timestamp is too far from now")
)

// Verify checks a webhook delivery as a partner's receiver should: the
// signature over the timestamp and the body, in constant time, and the
// timestamp within tolerance of now.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	sig, ts := h.Get(HeaderSignature), h.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return ErrNoSignature
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) > 19 {
		return ErrBadSignature
	}
	got, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return ErrBadSignature
	}
	gotMAC, err := hex.DecodeString(got)
	if err != nil {
		return ErrBadSignature
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, time.Unix(secs, 0), body), "sha256="))
	if !hmac.Equal(gotMAC, want) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(secs, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

// maxAnswer bounds how much of a webhook's answer is read.
const maxAnswer = 64 << 10

// answer is what a partner's webhook may answer with: its own reference
// for the referral and, if it has them already, a RAG rating and outcome.
type answer struct {
	PartnerReference string             `json:"partner_reference"`
	RAG              bluelamp.RAGRating `json:"rag"`
	Outcome          string             `json:"outcome"`
}

// ParseAnswer reads an acknowledgement from a webhook's successful answer:
// nil when the answer holds none (any body that is not such a JSON object),
// an error when it holds one that is not valid.
func ParseAnswer(contentType string, body io.Reader) (*bluelamp.ReferralAck, error) {
	if mt, _, _ := strings.Cut(contentType, ";"); strings.TrimSpace(strings.ToLower(mt)) != "application/json" {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if len(b) > maxAnswer {
		return nil, errors.New("the answer is over 64 KiB")
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, nil // a JSON answer of another shape is a plain receipt
	}
	if a == (answer{}) {
		return nil, nil
	}
	ack := &bluelamp.ReferralAck{PartnerReference: a.PartnerReference, RAG: a.RAG, Outcome: a.Outcome}
	if err := ack.Validate(); err != nil {
		return nil, err
	}
	return ack, nil
}
