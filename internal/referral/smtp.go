package referral

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// SMTP sends referrals by email through one SMTP server (net/smtp).
// Referrals are OFFICIAL-SENSITIVE: the connection is upgraded with
// STARTTLS, and a server that does not offer it is refused unless it is on
// this machine (a local relay).
type SMTP struct {
	Addr string // host:port
	From string // the envelope and header sender
	// TLS configures STARTTLS; nil verifies the server's certificate for
	// its host name.
	TLS *tls.Config
	// Hello is the name given in EHLO; "localhost" when empty.
	Hello string
}

// CheckAddress returns what is wrong with an SMTP server address and sender.
func CheckAddress(addr, from string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if a, err := mail.ParseAddress(from); err != nil || a.Address != from {
		return fmt.Errorf("%q is not a plain email address", from)
	}
	return nil
}

// Send delivers msg to one address.
func (s *SMTP) Send(ctx context.Context, to string, msg Message) error {
	if err := CheckAddress(s.Addr, s.From); err != nil {
		return fmt.Errorf("SMTP settings: %w", err)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("connect to the SMTP server: %w", err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	} else if !loopback(host) {
		return fmt.Errorf("the SMTP server %s offers no STARTTLS: a referral is not sent in the clear", s.Addr)
	}
	body, err := Email(s.From, to, msg)
	if err != nil {
		return err
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	return c.Quit()
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Email renders msg as an RFC 5322 message: plain UTF-8 text, quoted-
// printable, with the classification first. Every header is built from
// validated values (references, type labels, checked addresses), never
// from what an officer typed.
func Email(from, to string, msg Message) ([]byte, error) {
	for _, a := range []string{from, to} {
		if p, err := mail.ParseAddress(a); err != nil || p.Address != a {
			return nil, fmt.Errorf("email address %q is not plain", a)
		}
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from)
	header("To", to)
	header("Subject", fmt.Sprintf("[%s] Safeguarding referral %s: %s", msg.Classification, msg.Reference, msg.TypeLabel))
	header("Date", msg.CreatedAt.UTC().Format(time.RFC1123Z))
	header("Message-ID", fmt.Sprintf("<%s.%d@%s>", msg.Reference, msg.Delivery, domain))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header(HeaderDelivery, fmt.Sprint(msg.Delivery))
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(EmailText(msg))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// EmailText is the body of a referral's email, before encoding.
func EmailText(msg Message) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	line("%s", msg.Classification)
	line("")
	line("Safeguarding referral %s from %s", msg.Reference, msg.Force)
	line("Type: %s", msg.TypeLabel)
	line("Legal gateway: %s", msg.Gateway)
	if msg.Incident != "" {
		line("Police incident: %s", msg.Incident)
	}
	line("Referred by: officer %s", msg.ReferredBy)
	line("Made at: %s", msg.CreatedAt.UTC().Format("15:04 UTC, 2 January 2006"))
	line("Consent: %s", consentText(msg.Consent.Status))
	if msg.Consent.OverrideReason != "" {
		line("Why it is made without consent: %s", oneLine(msg.Consent.OverrideReason))
	}
	line("")
	for _, f := range msg.Fields {
		line("%s: %s", f.Label, oneLine(f.Value))
	}
	line("")
	line("Quote %s when you acknowledge this referral or give its outcome.", msg.Reference)
	return b.String()
}

func consentText(s bluelamp.ConsentStatus) string {
	switch s {
	case bluelamp.ConsentGiven:
		return "given"
	case bluelamp.ConsentRefused:
		return "refused"
	case bluelamp.ConsentNotSought:
		return "not sought"
	}
	return string(s)
}

// oneLine keeps a value's line breaks inside its field: continuation lines
// are indented, so no value can pose as another field.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n    ")
}
