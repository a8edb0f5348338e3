package referral

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	// now is the current time; guarded by mu.
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var start = time.Date(2030, time.March, 4, 9, 30, 0, 0, time.UTC)

// env is a real SQLite store holding a force with an officer, on a test clock.
type env struct {
	t       *testing.T
	path    string
	store   *sqlstore.Store
	clock   *clock
	officer context.Context
	admin   context.Context
	onEvent chan bluelamp.EventType // committed event types, when listened for
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "referral.db"), clock: &clock{now: start}, onEvent: make(chan bluelamp.EventType, 64)}
	e.open()
	ctx := bluelamp.SystemContext(t.Context(), "", "test")
	if err := e.store.CreateForce(ctx, &bluelamp.Force{ID: "wessex", Name: "Wessex Constabulary"}); err != nil {
		t.Fatal(err)
	}
	sys := bluelamp.SystemContext(t.Context(), "wessex", "test")
	oak := &bluelamp.User{Username: "oak", DisplayName: "Gabriel Oak", CollarNumber: "1041", Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	if err := e.store.CreateUser(sys, oak, ""); err != nil {
		t.Fatal(err)
	}
	e.officer = bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: oak.ID, Username: oak.Username,
		ForceID: "wessex", Roles: oak.Roles})
	e.admin = sys
	return e
}

// open opens (or reopens, as a restarted node would) the store.
func (e *env) open() {
	e.t.Helper()
	s := sqlstore.New(e.path)
	s.Migrate = sqlstore.MigrateIfEmpty
	s.Now = e.clock.Now
	s.Logger = slog.New(slog.DiscardHandler)
	s.OnCommit = func(events []*bluelamp.Event) {
		for _, ev := range events {
			select {
			case e.onEvent <- ev.Type:
			default:
			}
		}
	}
	if err := s.Open(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { s.Close() })
	e.store = s
}

func (e *env) partner(email, webhook, secret string) *bluelamp.Partner {
	e.t.Helper()
	p := &bluelamp.Partner{Name: "Wessex MASH", Accepts: []bluelamp.ReferralType{bluelamp.ReferralDomesticAbuse}, Email: email,
		WebhookURL: webhook, Secret: secret}
	if err := e.store.CreatePartner(e.admin, p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) referral(p *bluelamp.Partner) *bluelamp.Referral {
	e.t.Helper()
	r := &bluelamp.Referral{Type: bluelamp.ReferralDomesticAbuse, PartnerID: p.ID,
		Consent: bluelamp.Consent{Status: bluelamp.ConsentNotSought, OverrideReason: "asking would alert the person causing harm"},
		Fields: map[string]string{"subject_name": "Bathsheba Everdene", "subject_address": "Weatherbury Farm\nWeatherbury",
			"dash_risk": "HIGH", "children_present": "no", "concern": "threats to kill; Subject: forged header?", "officer_risk_view": "HIGH"}}
	if err := e.store.CreateReferral(e.officer, r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) find(id bluelamp.ReferralID) *bluelamp.Referral {
	e.t.Helper()
	r, err := e.store.FindReferralByID(e.officer, id, bluelamp.Justification{Reason: "SAFEGUARDING"})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) deliverer() *Deliverer {
	d := NewDeliverer(e.store)
	d.Now, d.Logger = e.clock.Now, slog.New(slog.DiscardHandler)
	d.BaseDelay, d.MaxDelay = time.Minute, 10*time.Minute
	d.Jitter = func() float64 { return 0.5 }
	return d
}

// runOnce runs the deliverer once and returns how many it claimed.
func runOnce(t *testing.T, d *Deliverer) int {
	t.Helper()
	n, err := d.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const secret = "a-webhook-secret-of-at-least-32-bytes"

func TestWebhookRetriesThenDelivers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, body)
		n := len(got)
		mu.Unlock()
		// The receiving side checks the signature before anything else.
		if err := Verify([]byte(secret), r.Header, body, e.clock.Now(), 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if n <= 2 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"partner_reference":"MASH-2030-118","rag":"RED"}`)
	}))
	t.Cleanup(hook.Close)
	p := e.partner("", hook.URL+"/referrals", secret)
	r := e.referral(p)
	d := e.deliverer()

	if n := runOnce(t, d); n != 1 {
		t.Fatalf("claimed %d", n)
	}
	after := e.find(r.ID)
	if dl := after.Deliveries[0]; dl.Status != bluelamp.DeliveryRetrying || len(dl.Attempts) != 1 ||
		dl.Attempts[0].Error != "the webhook answered HTTP 503 Service Unavailable" || !dl.NextAttemptAt.Equal(start.Add(45*time.Second)) {
		t.Fatalf("after the first failure: %+v %+v", dl, dl.Attempts[0])
	}
	if n := runOnce(t, d); n != 0 {
		t.Fatalf("claimed %d before the backoff ran out", n)
	}
	e.clock.Advance(45 * time.Second)
	runOnce(t, d)
	if dl := e.find(r.ID).Deliveries[0]; dl.Status != bluelamp.DeliveryRetrying || !dl.NextAttemptAt.Equal(e.clock.Now().Add(90*time.Second)) {
		t.Fatalf("after the second failure: %+v", dl)
	}
	e.clock.Advance(90 * time.Second)
	runOnce(t, d)

	final := e.find(r.ID)
	dl := final.Deliveries[0]
	if final.Status != bluelamp.DeliveryDelivered || dl.Status != bluelamp.DeliveryDelivered || len(dl.Attempts) != 3 ||
		dl.Attempts[0].OK || dl.Attempts[1].OK || !dl.Attempts[2].OK || dl.DeliveredAt == nil {
		t.Fatalf("after the third attempt: %+v, attempts %+v %+v %+v", dl, dl.Attempts[0], dl.Attempts[1], dl.Attempts[2])
	}
	if a := final.Acknowledgement; a == nil || a.PartnerReference != "MASH-2030-118" || a.RAG != bluelamp.RAGRed || a.Via != "webhook" {
		t.Fatalf("acknowledgement from the answer = %+v", a)
	}
	if len(got) != 3 {
		t.Fatalf("the webhook was called %d times", len(got))
	}
	for i, req := range got {
		if req.Method != http.MethodPost || req.URL.Path != "/referrals" || req.Header.Get("Content-Type") != "application/json" ||
			req.Header.Get(HeaderDelivery) != "1" {
			t.Errorf("request %d: %s %s %v", i, req.Method, req.URL, req.Header)
		}
	}
	var msg Message
	if err := json.Unmarshal(bodies[2], &msg); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range msg.Fields {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"subject_name", "subject_address", "dash_risk", "children_present", "concern", "officer_risk_view"}, names); diff != "" {
		t.Errorf("fields sent (-want +got):\n%s", diff)
	}
	if msg.Reference != r.Reference || msg.ReferredBy != "1041" || msg.Classification != bluelamp.ClassOfficialSensitive ||
		msg.Consent.Status != bluelamp.ConsentNotSought || msg.Delivery != dl.ID {
		t.Errorf("message = %+v", msg)
	}

	// The delivery is a disclosure, logged with its recipient.
	records, _, err := e.store.FindAuditRecords(e.admin, bluelamp.AuditFilter{Action: new(bluelamp.AuditDisclosure)},
		bluelamp.Justification{Reason: "AUDIT", Text: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || !strings.HasPrefix(records[0].Recipient, "partner/") || !strings.HasSuffix(records[0].Recipient, "Wessex MASH") {
		t.Fatalf("disclosure records = %+v", records)
	}
}

func TestWebhookBadSignatureRefused(t *testing.T) {
	// A receiver holding another secret refuses every delivery: the
	// deliverer retries, then gives up.
	t.Parallel()
	e := newEnv(t)
	var refused int
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := Verify([]byte("not-the-secret-the-force-holds-at-all"), r.Header, body, e.clock.Now(), time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify with the wrong secret: %v", err)
		}
		refused++
		http.Error(w, "bad signature", http.StatusUnauthorized)
	}))
	t.Cleanup(hook.Close)
	r := e.referral(e.partner("", hook.URL, secret))
	d := e.deliverer()
	d.MaxAttempts = 2
	runOnce(t, d)
	e.clock.Advance(time.Hour)
	runOnce(t, d)
	e.clock.Advance(time.Hour)
	if n := runOnce(t, d); n != 0 {
		t.Fatalf("a failed delivery was claimed again")
	}
	got := e.find(r.ID)
	if got.Status != bluelamp.DeliveryFailed || len(got.Deliveries[0].Attempts) != 2 || refused != 2 ||
		got.Deliveries[0].Attempts[1].Error != "the webhook answered HTTP 401 Unauthorized" {
		t.Fatalf("after giving up: %+v, %d refused", got.Deliveries[0], refused)
	}
}

func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the redirect was followed")
	}))
	t.Cleanup(elsewhere.Close)
	hook := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	t.Cleanup(hook.Close)
	r := e.referral(e.partner("", hook.URL, secret))
	runOnce(t, e.deliverer())
	if a := e.find(r.ID).Deliveries[0].Attempts; len(a) != 1 || a[0].Error != "the webhook answered HTTP 307 Temporary Redirect" {
		t.Fatalf("attempts = %+v", a)
	}
}

// smtpServer is a real SMTP server (go-smtp) on loopback that keeps what
// it receives.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	// mail is what was received; guarded by mu.
	mail []received
	got  chan struct{}
}

type received struct {
	from string
	to   []string
	data []byte
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	srv := &smtpServer{got: make(chan struct{}, 16)}
	s := smtp.NewServer(srv)
	s.Domain = "mail.test"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return srv
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }

type smtpSession struct {
	srv *smtpServer
	msg received
}

func (s *smtpSession) Reset()        { s.msg = received{} }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = b
	s.srv.mu.Lock()
	s.srv.mail = append(s.srv.mail, s.msg)
	s.srv.mu.Unlock()
	s.srv.got <- struct{}{}
	return nil
}

func TestEmailDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := newSMTPServer(t)
	r := e.referral(e.partner("mash@wessex.example", "", ""))
	d := e.deliverer()
	d.SMTP = &SMTP{Addr: srv.addr, From: "referrals@police.example"}
	runOnce(t, d)
	if got := e.find(r.ID); got.Status != bluelamp.DeliveryDelivered {
		t.Fatalf("status %s: %+v", got.Status, got.Deliveries[0].Attempts[0])
	}
	if len(srv.mail) != 1 {
		t.Fatalf("received %d messages", len(srv.mail))
	}
	m := srv.mail[0]
	if m.from != "referrals@police.example" || len(m.to) != 1 || m.to[0] != "mash@wessex.example" {
		t.Fatalf("envelope from %q to %v", m.from, m.to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatal(err)
	}
	wantHeaders := map[string]string{
		"From": "referrals@police.example", "To": "mash@wessex.example",
		"Subject":      "[OFFICIAL-SENSITIVE] Safeguarding referral " + r.Reference + ": Domestic abuse",
		"Content-Type": "text/plain; charset=utf-8", "Bluelamp-Delivery": "1",
	}
	for k, v := range wantHeaders {
		if got := msg.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"OFFICIAL-SENSITIVE",
		"",
		"Safeguarding referral " + r.Reference + " from wessex",
		"Type: Domestic abuse",
		"Legal gateway: Crime and Disorder Act 1998 s.115; DPA 2018 Sch. 8 para. 4",
		"Referred by: officer 1041",
		"Made at: 09:30 UTC, 4 March 2030",
		"Consent: not sought",
		"Why it is made without consent: asking would alert the person causing harm",
		"",
		"Name of the person at risk: Bathsheba Everdene",
		"Their address: Weatherbury Farm",
		"    Weatherbury",
		"DASH risk level: HIGH",
		"Children in the household: no",
		"The concern and the evidence for it: threats to kill; Subject: forged header?",
		"The officer's view of the risk: HIGH",
		"",
		"Quote " + r.Reference + " when you acknowledge this referral or give its outcome.",
		"",
	}, "\r\n")
	if diff := cmp.Diff(want, string(body)); diff != "" {
		t.Errorf("email body: the referral's fields and nothing more (-want +got):\n%s", diff)
	}
}

func TestEmailWithoutSMTPFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.referral(e.partner("mash@wessex.example", "", ""))
	runOnce(t, e.deliverer())
	if a := e.find(r.ID).Deliveries[0].Attempts; len(a) != 1 || a[0].Error != "no SMTP server is configured (--smtp-addr)" {
		t.Fatalf("attempts = %+v", a)
	}
}

func TestEmailServerDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := e.referral(e.partner("mash@wessex.example", "", ""))
	d := e.deliverer()
	d.SMTP = &SMTP{Addr: addr, From: "referrals@police.example"}
	runOnce(t, d)
	got := e.find(r.ID).Deliveries[0]
	if got.Status != bluelamp.DeliveryRetrying || !strings.HasPrefix(got.Attempts[0].Error, "connect to the SMTP server") {
		t.Fatalf("delivery = %+v %+v", got, got.Attempts[0])
	}
}

// TestLoopSurvivesRestart queues a referral on one store, closes it, and
// lets the deliverer of a store reopened on the same database (a restarted
// node) deliver it without being told.
func TestLoopSurvivesRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got := make(chan []byte, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- body
	}))
	t.Cleanup(hook.Close)
	r := e.referral(e.partner("", hook.URL, secret))
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	e.open()
	d := e.deliverer()
	d.Interval = 10 * time.Millisecond
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the pending referral was not delivered after the restart")
	}
	for {
		select {
		case typ := <-e.onEvent:
			if typ != bluelamp.EventReferralDeliveryAttempted {
				continue
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the delivery was not recorded")
		}
		break
	}
	if s := e.find(r.ID).Status; s != bluelamp.DeliveryDelivered {
		t.Fatalf("status %s", s)
	}
	d.Notify()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	d := NewDeliverer(nil)
	for _, tc := range []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 0, 15 * time.Second}, {1, 0.999999, 30 * time.Second}, {2, 0, 30 * time.Second}, {3, 0.5, 90 * time.Second},
		{8, 0, 30 * time.Minute}, {8, 0.999999, time.Hour}, {40, 0, 30 * time.Minute}, {70, 0.5, 45 * time.Minute},
	} {
		d.Jitter = func() float64 { return tc.jitter }
		if got := d.Backoff(tc.attempt).Round(time.Second); got != tc.want {
			t.Errorf("Backoff(%d) with jitter %v = %v, want %v", tc.attempt, tc.jitter, got, tc.want)
		}
	}
}

func TestNewMessageCarriesOnlyListedFields(t *testing.T) {
	t.Parallel()
	job := &bluelamp.DeliveryJob{ID: 9, Referral: &bluelamp.Referral{Reference: "R-1", Type: bluelamp.ReferralMentalHealth,
		Fields: map[string]string{"subject_name": "A", "presentation": "B", "concern": "C", "officer_risk_view": "LOW",
			"dash_risk": "HIGH", "national_insurance_number": "QQ123456C", "known_services": ""}}}
	msg := NewMessage(job)
	want := []Field{{"subject_name", "Name of the person at risk", "A"}, {"presentation", "How the person presented", "B"},
		{"concern", "The concern and the evidence for it", "C"}, {"officer_risk_view", "The officer's view of the risk", "LOW"}}
	if diff := cmp.Diff(want, msg.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1900000000, 0)
	body := []byte(`{"reference":"R-1"}`)
	signed := func(secret string, ts time.Time, b []byte) http.Header {
		h := http.Header{}
		h.Set(HeaderTimestamp, itoa(ts.Unix()))
		h.Set(HeaderSignature, Sign([]byte(secret), ts, b))
		return h
	}
	if err := Verify([]byte(secret), signed(secret, now, body), body, now, time.Minute); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	h := signed(secret, now, body)
	h.Set(HeaderTimestamp, itoa(now.Unix()+1))
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		want error
	}{
		{"OtherBody", signed(secret, now, body), []byte(`{"reference":"R-2"}`), ErrBadSignature},
		{"OtherSecret", signed("another secret entirely, 32 bytes+", now, body), body, ErrBadSignature},
		{"TimestampChanged", h, body, ErrBadSignature},
		{"Stale", signed(secret, now.Add(-2*time.Minute), body), body, ErrStale},
		{"Future", signed(secret, now.Add(2*time.Minute), body), body, ErrStale},
		{"NoHeaders", http.Header{}, body, ErrNoSignature},
		{"NotHex", http.Header{HeaderTimestamp: {itoa(now.Unix())}, HeaderSignature: {"sha256=zz"}}, body, ErrBadSignature},
		{"OtherScheme", http.Header{HeaderTimestamp: {itoa(now.Unix())}, HeaderSignature: {"md5=00"}}, body, ErrBadSignature},
		{"BadTimestamp", http.Header{HeaderTimestamp: {"yesterday"}, HeaderSignature: {"sha256=00"}}, body, ErrBadSignature},
	} {
		if err := Verify([]byte(secret), tc.h, tc.body, now, time.Minute); !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ct, body string
		want           *bluelamp.ReferralAck
		err            bool
	}{
		{"Ack", "application/json; charset=utf-8", `{"partner_reference":"M-1","rag":"GREEN","outcome":"no further action"}`,
			&bluelamp.ReferralAck{PartnerReference: "M-1", RAG: bluelamp.RAGGreen, Outcome: "no further action"}, false},
		{"PlainText", "text/plain", `ok`, nil, false},
		{"EmptyObject", "application/json", `{}`, nil, false},
		{"OtherShape", "application/json", `{"received":true}`, nil, false},
		{"Array", "application/json", `[1,2]`, nil, false},
		{"BadRAG", "application/json", `{"rag":"PURPLE"}`, nil, true},
		{"Huge", "application/json", `{"outcome":"` + strings.Repeat("x", maxAnswer) + `"}`, nil, true},
	} {
		got, err := ParseAnswer(tc.ct, strings.NewReader(tc.body))
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// FuzzParseAnswer: any answer a webhook gives is read without a panic,
// and any acknowledgement taken from it is valid.
func FuzzParseAnswer(f *testing.F) {
	f.Add("application/json", `{"partner_reference":"M-1","rag":"RED","outcome":"x"}`)
	f.Add("application/json", `{"rag":null}`)
	f.Add("text/html", `<p>ok</p>`)
	f.Add("application/json;", "\xff\xfe")
	f.Fuzz(func(t *testing.T, ct, body string) {
		ack, err := ParseAnswer(ct, strings.NewReader(body))
		if err == nil && ack != nil {
			if verr := ack.Validate(); verr != nil {
				t.Fatalf("took an invalid acknowledgement %+v: %v", ack, verr)
			}
		}
	})
}

// FuzzVerify: Verify never panics on what arrives, and accepts only what
// Sign made for that body and time.
func FuzzVerify(f *testing.F) {
	f.Add("1900000000", "sha256=00", []byte("{}"))
	f.Add("-1", "sha256=", []byte(""))
	f.Add("99999999999999999999", "sha256=zz", []byte("x"))
	now := time.Unix(1900000000, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{HeaderTimestamp: {ts}, HeaderSignature: {sig}}
		if Verify([]byte(secret), h, body, now, time.Hour) != nil {
			return
		}
		n, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || strings.ToLower(sig) != Sign([]byte(secret), time.Unix(n, 0), body) {
			t.Fatalf("accepted timestamp %q signature %q", ts, sig)
		}
	})
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "mail.example": false, "10.0.0.1": false} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %v", host, got)
		}
	}
}
