package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/referral"
	"github.com/emersion/go-smtp"
)

// TestEvidenceEndToEnd runs the binary's wiring: an officer logs an exhibit
// (stored under the data directory) and downloads it, an admin adds a
// partner reached by webhook and email, and a referral the officer makes
// reaches both, sent by the running deliverer without being asked.
func TestEvidenceEndToEnd(t *testing.T) {
	mail := make(chan []byte, 4)
	mailAddr := startSMTP(t, mail)
	hooked := make(chan []byte, 4)
	var secret string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := referral.Verify([]byte(secret), r.Header, body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		hooked <- body
	}))
	t.Cleanup(hook.Close)

	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", t.TempDir(), true
	cfg.SMTPAddr, cfg.SMTPFrom = mailAddr, "referrals@wessex.police.example"
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	officer, admin := apiClient(t, m.URL(), "demo.response"), apiClient(t, m.URL(), "demo.admin")

	// An exhibit, kept under the data directory by its SHA-256.
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1, 2, 3}, 5000)...)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{"Content-Disposition": {`form-data; name="metadata"`}, "Content-Type": {"application/json"}}
	pw, _ := w.CreatePart(h)
	pw.Write([]byte(`{"origin":"SEIZED","description":"photo of the scene","seized_from":"Weatherbury Farm"}`))
	fw, _ := w.CreateFormFile("file", "scene.jpg")
	fw.Write(photo)
	w.Close()
	res := do(t, officer, "POST", m.URL()+"/api/v1/exhibits", w.FormDataContentType(), b.Bytes())
	var created struct{ Exhibit bluelamp.Exhibit }
	decode(t, res, http.StatusCreated, &created)
	ex := created.Exhibit
	if ex.Reference != "GO/1" || ex.ContentType != "image/jpeg" {
		t.Fatalf("exhibit = %+v", ex)
	}
	stored := filepath.Join(cfg.DataDir, "exhibits", "wessex", ex.SHA256.String()[:2], ex.SHA256.String())
	if got, err := os.ReadFile(stored); err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("stored file %s: %v", stored, err)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/exhibits/%d/content", m.URL(), ex.ID), nil)
	req.Header.Set("Bluelamp-Reason", "INVESTIGATION")
	res, err := officer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, photo) {
		t.Fatalf("download: %d, %d bytes", res.StatusCode, len(got))
	}

	// A partner, and a referral to it.
	res = do(t, admin, "POST", m.URL()+"/api/v1/partners", "application/json", []byte(`{"name":"Wessex MASH","accepts":["CHILD_AT_RISK"],
		"email":"mash@wessex.example","webhook_url":"`+hook.URL+`"}`))
	var partner struct {
		Partner       bluelamp.Partner
		WebhookSecret string `json:"webhook_secret"`
	}
	decode(t, res, http.StatusCreated, &partner)
	secret = partner.WebhookSecret
	res = do(t, officer, "POST", m.URL()+"/api/v1/referrals", "application/json", []byte(fmt.Sprintf(`{"type":"CHILD_AT_RISK","partner_id":%d,
		"consent":{"status":"GIVEN"},"fields":{"subject_name":"Liddy","subject_address":"Weatherbury Farm","concern":"left alone","officer_risk_view":"MEDIUM"}}`,
		partner.Partner.ID)))
	var made struct{ Referral bluelamp.Referral }
	decode(t, res, http.StatusCreated, &made)

	for name, ch := range map[string]chan []byte{"webhook": hooked, "email": mail} {
		select {
		case body := <-ch:
			if !bytes.Contains(body, []byte(made.Referral.Reference)) || !bytes.Contains(body, []byte("Liddy")) {
				t.Errorf("%s delivery: %s", name, body)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("the referral was not delivered by %s", name)
		}
	}
	// The outcomes are recorded just after the sends.
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/referrals/%d", m.URL(), made.Referral.ID), nil)
		req.Header.Set("Bluelamp-Reason", "SAFEGUARDING")
		res, err := officer.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ Referral bluelamp.Referral }
		decode(t, res, http.StatusOK, &r)
		if r.Referral.Status == bluelamp.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("referral status %s: %+v %+v", r.Referral.Status, r.Referral.Deliveries[0], r.Referral.Deliveries[1])
		}
		time.Sleep(50 * time.Millisecond) // polling the API, as the app would
	}
}

func do(t *testing.T, c *http.Client, method, url, ctype string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func decode(t *testing.T, res *http.Response, status int, v any) {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// startSMTP runs a real SMTP server (go-smtp) on loopback that sends each
// message it receives to got, and returns its address.
func startSMTP(t *testing.T, got chan<- []byte) string {
	t.Helper()
	s := smtp.NewServer(smtpBackend{got})
	s.Domain = "mail.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return ln.Addr().String()
}

type smtpBackend struct{ got chan<- []byte }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession(b), nil }

type smtpSession struct{ got chan<- []byte }

func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }
func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !strings.HasSuffix(to, "@wessex.example") {
		return &smtp.SMTPError{Code: 550, Message: "no such mailbox"}
	}
	return nil
}
func (s smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.got <- b
	return nil
}
