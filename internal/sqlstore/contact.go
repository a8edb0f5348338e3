package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/bluelamp/bluelamp"
)

// asbWindow is the ASB Case Review look-back: "three complaints in six
// months" is the common local threshold (DOMAIN 2.7).
const asbWindow = 183 * 24 * time.Hour

// addressKey reduces an address to lower-case letters and digits separated
// by single spaces, so "12, High St." and "12 high st" match.
func addressKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		default:
			space = true
		}
	}
	return b.String()
}

// CreateContact records a contact and opens or links its incident.
func (s *Store) CreateContact(ctx context.Context, c *bluelamp.Contact, open *bluelamp.Incident) error {
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		if c.ReceivedAt.IsZero() || c.ReceivedAt.After(t.now) {
			c.ReceivedAt = t.now
		}
		c.ReceivedAt = c.ReceivedAt.UTC().Truncate(time.Microsecond)
		if t.now.Sub(c.ReceivedAt) > 24*time.Hour {
			return bluelamp.InvalidFields(map[string]string{"received_at": "must be within the last 24 hours"})
		}
		if err := t.validateContact(c, open, fs); err != nil {
			return err
		}
		var inc *bluelamp.Incident
		if open != nil {
			if err := t.insertIncident(open, fs); err != nil {
				return err
			}
			inc = open
		} else if inc, err = t.openIncident(c.IncidentID); err != nil {
			if bluelamp.KindOf(err) == bluelamp.KindNotFound {
				return incidentNotFound("incident_id")
			}
			return err
		}
		if c.Checks, err = t.contactChecks(c, inc, fs); err != nil {
			return err
		}
		serial, day, err := t.nextSerial("contact", fs.Location())
		if err != nil {
			return err
		}
		c.ForceID, c.Reference, c.IncidentID, c.Incident, c.HandledBy = t.force(), bluelamp.ContactReference(serial, day), inc.ID, inc.Number, t.actor.Name()
		if p := c.Location.Position; p != nil {
			c.Location.Rural = !fs.Area.IsUrban(*p)
		}
		lat, lon := nullPos(c.Location.Position)
		id, err := t.insertID(`INSERT INTO contacts (force_id, reference, channel, received_at, caller_name, caller_number, number_key, callback,
			anonymous, address, address_key, lat, lon, grid_ref, cross_border, rural, account, incident_id, handled_by, checks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.force(), c.Reference, c.Channel, micros(c.ReceivedAt), c.Caller.Name, c.Caller.Number, numberKey(c.Caller), c.Caller.Callback,
			c.Caller.Anonymous, c.Location.Address, addressKey(c.Location.Address), lat, lon, c.Location.GridRef, c.Location.CrossBorder,
			c.Location.Rural, c.Account, inc.ID, c.HandledBy, jsonText(c.Checks))
		if err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
		c.ID = bluelamp.ContactID(id)
		ref := subject("contact", id)
		if _, err := t.appendEvent(bluelamp.EventContactCreated, ref, inc.Classification, c); err != nil {
			return err
		}
		if err := t.audit(auditEntry{action: bluelamp.AuditCollection, what: "contact.create", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "INCIDENT", Text: "contact recorded", IncidentRef: inc.Number}}); err != nil {
			return err
		}
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		_, err = t.record(bluelamp.EventIncidentLogged, inc, []logLine{{inc.ID, bluelamp.LogContact, contactLine(c, fs), 0}}, bluelamp.Change{Incident: full})
		return err
	})
}

// validateContact checks a contact and the incident it opens together, so
// a form hears of every fault at once; incident faults are prefixed
// "incident.".
func (t *tx) validateContact(c *bluelamp.Contact, open *bluelamp.Incident, fs *bluelamp.ForceSettings) error {
	fields := map[string]string{}
	if err := c.Validate(&fs.Area); err != nil {
		e, ok := errors.AsType[*bluelamp.Error](err)
		if !ok {
			return err
		}
		fields = e.Fields
	}
	if open != nil {
		open.Channel, open.ReceivedAt = c.Channel, c.ReceivedAt
		if open.Location.Address == "" && open.Location.Position == nil {
			open.Location = c.Location
		}
		if err := validateNew(open, fs); err != nil {
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok {
				return err
			}
			for k, v := range e.Fields {
				// The incident's channel, and its location when it gave none,
				// are the contact's: a fault there is reported once.
				if _, dup := fields[k]; !dup || !(strings.HasPrefix(k, "location.") || k == "channel") {
					fields["incident."+k] = v
				}
			}
		}
	} else if c.IncidentID <= 0 {
		fields["incident_id"] = "link the contact to an incident or open a new one"
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	return nil
}

// numberKey is the caller's number as repeat checks match it; empty for
// no number.
func numberKey(c bluelamp.Caller) string {
	if c.Number == "" {
		return ""
	}
	return c.NormalisedNumber()
}

// contactChecks runs the repeat-caller, repeat-location, vulnerability and
// ASB Case Review checks against the force's earlier contacts.
func (t *tx) contactChecks(c *bluelamp.Contact, inc *bluelamp.Incident, fs *bluelamp.ForceSettings) (bluelamp.ContactChecks, error) {
	checks := bluelamp.ContactChecks{RepeatCaller: []string{}, RepeatLocation: []string{}}
	since := micros(c.ReceivedAt.Add(-time.Duration(fs.RepeatWindow)))
	type prior struct {
		ref        string
		vulnerable bool
		asb        bool
		at         int64
	}
	scan := func(sc interface{ Scan(...any) error }) (prior, error) {
		var p prior
		var category string
		err := sc.Scan(&p.ref, &p.vulnerable, &category, &p.at)
		ci, _ := bluelamp.Category(category).Info()
		p.asb = ci.Group == bluelamp.GroupASB
		return p, err
	}
	const cols = "SELECT c.reference, i.vulnerable, i.category, c.received_at FROM contacts c JOIN incidents i ON i.id = c.incident_id WHERE c.force_id = ? AND "
	if key := numberKey(c.Caller); key != "" {
		from := min(since, micros(c.ReceivedAt.Add(-asbWindow)))
		ps, err := queryAll(t, scan, cols+"c.number_key = ? AND c.received_at >= ? ORDER BY c.received_at", t.force(), key, from)
		if err != nil {
			return checks, fmt.Errorf("repeat caller check: %w", err)
		}
		asb := 0
		for _, p := range ps {
			if p.at >= since {
				checks.RepeatCaller = append(checks.RepeatCaller, p.ref)
				checks.Vulnerable = checks.Vulnerable || p.vulnerable
			}
			if p.asb {
				asb++
			}
		}
		ci, _ := inc.Category.Info()
		checks.ASBCaseReview = ci.Group == bluelamp.GroupASB && asb+1 >= 3
	}
	seen := map[string]bool{}
	add := func(ps []prior) {
		for _, p := range ps {
			if !seen[p.ref] {
				seen[p.ref] = true
				checks.RepeatLocation = append(checks.RepeatLocation, p.ref)
				checks.Vulnerable = checks.Vulnerable || p.vulnerable
			}
		}
	}
	if key := addressKey(c.Location.Address); key != "" {
		ps, err := queryAll(t, scan, cols+"c.address_key = ? AND c.received_at >= ? ORDER BY c.received_at", t.force(), key, since)
		if err != nil {
			return checks, fmt.Errorf("repeat location check: %w", err)
		}
		add(ps)
	}
	if p := c.Location.Position; p != nil {
		r := fs.RepeatRadiusM
		dLat, dLon := around(*p, r)
		type near struct {
			prior
			pos bluelamp.Position
		}
		ns, err := queryAll(t, func(sc interface{ Scan(...any) error }) (near, error) {
			var n near
			var category string
			err := sc.Scan(&n.ref, &n.vulnerable, &category, &n.at, &n.pos.Lat, &n.pos.Lon)
			return n, err
		}, "SELECT c.reference, i.vulnerable, i.category, c.received_at, c.lat, c.lon FROM contacts c JOIN incidents i ON i.id = c.incident_id"+
			" WHERE c.force_id = ? AND c.received_at >= ? AND c.lat BETWEEN ? AND ? AND c.lon BETWEEN ? AND ? ORDER BY c.received_at",
			t.force(), since, p.Lat-dLat, p.Lat+dLat, p.Lon-dLon, p.Lon+dLon)
		if err != nil {
			return checks, fmt.Errorf("repeat location check: %w", err)
		}
		var ps []prior
		for _, n := range ns {
			if p.Distance(n.pos) <= r {
				ps = append(ps, n.prior)
			}
		}
		add(ps)
	}
	return checks, nil
}

// contactLine is the incident-log line for a contact: its reference,
// channel and checks, and never the caller's details, which stay in the
// audited contact record.
func contactLine(c *bluelamp.Contact, fs *bluelamp.ForceSettings) string {
	channel := string(c.Channel)
	for _, ci := range bluelamp.Channels {
		if ci.Code == c.Channel {
			channel = ci.Label
		}
	}
	parts := []string{fmt.Sprintf("Contact %s: %s", c.Reference, channel)}
	days := int(time.Duration(fs.RepeatWindow).Hours() / 24)
	if n := len(c.Checks.RepeatCaller); n > 0 {
		parts = append(parts, fmt.Sprintf("REPEAT CALLER: %d earlier contact(s) in %d days", n, days))
	}
	if n := len(c.Checks.RepeatLocation); n > 0 {
		parts = append(parts, fmt.Sprintf("REPEAT LOCATION: %d earlier contact(s) in %d days", n, days))
	}
	if c.Checks.Vulnerable {
		parts = append(parts, "VULNERABILITY flagged on an earlier contact")
	}
	if c.Checks.ASBCaseReview {
		parts = append(parts, "ASB CASE REVIEW threshold reached (3 reports in 6 months)")
	}
	if c.Caller.Anonymous {
		parts = append(parts, "caller anonymous")
	}
	return strings.Join(parts, "; ")
}

// FindContacts returns an incident's contacts, audited as a consultation.
func (s *Store) FindContacts(ctx context.Context, incident bluelamp.IncidentID, j bluelamp.Justification) ([]*bluelamp.Contact, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out []*bluelamp.Contact
	err := s.write(ctx, func(t *tx) error {
		inc, err := t.incident(incident)
		if err != nil {
			return err
		}
		out, err = queryAll(t, scanContact, `SELECT c.id, c.force_id, c.reference, c.channel, c.received_at, c.caller_name, c.caller_number,
			c.callback, c.anonymous, c.address, c.lat, c.lon, c.grid_ref, c.cross_border, c.rural, c.account, c.incident_id, c.handled_by, c.checks
			FROM contacts c WHERE c.force_id = ? AND c.incident_id = ? ORDER BY c.id`, t.force(), incident)
		if err != nil {
			return err
		}
		refs := make([]string, len(out))
		for i, c := range out {
			c.Incident = inc.Number
			refs[i] = subject("contact", c.ID)
		}
		if out == nil {
			out = []*bluelamp.Contact{}
		}
		if j.IncidentRef == "" {
			j.IncidentRef = inc.Number
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "contact.find", records: []string{subject("incident", incident)}, subjects: refs, j: j})
	})
	return result(out, err)
}

func scanContact(sc interface{ Scan(...any) error }) (*bluelamp.Contact, error) {
	var c bluelamp.Contact
	var received int64
	var lat, lon sql.NullFloat64
	var checks string
	if err := sc.Scan(&c.ID, &c.ForceID, &c.Reference, &c.Channel, &received, &c.Caller.Name, &c.Caller.Number, &c.Caller.Callback,
		&c.Caller.Anonymous, &c.Location.Address, &lat, &lon, &c.Location.GridRef, &c.Location.CrossBorder, &c.Location.Rural,
		&c.Account, &c.IncidentID, &c.HandledBy, &checks); err != nil {
		return nil, fmt.Errorf("scan contact: %w", err)
	}
	c.ReceivedAt = fromMicros(received)
	if lat.Valid && lon.Valid {
		c.Location.Position = &bluelamp.Position{Lat: lat.Float64, Lon: lon.Float64}
	}
	var err error
	c.Checks, err = fromJSON[bluelamp.ContactChecks](checks, "contact checks")
	return &c, err
}
