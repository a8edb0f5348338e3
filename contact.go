package bluelamp

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is how a contact reached the force: the method of reporting,
// which forces audit (DOMAIN 2.1, 2.5).
type Channel string

const (
	ChannelEmergency    Channel = "999"
	ChannelNonEmergency Channel = "101"
	ChannelTextRelay    Channel = "TEXT_RELAY" // emergencySMS and Relay UK, DOMAIN 2.1
	ChannelVideoRelay   Channel = "BSL_VIDEO"
	ChannelOnline       Channel = "ONLINE"
	ChannelEmail        Channel = "EMAIL"
	ChannelSMS          Channel = "SMS"
	ChannelSocialMedia  Channel = "SOCIAL_MEDIA"
	ChannelInPerson     Channel = "IN_PERSON"
	ChannelOfficer      Channel = "OFFICER_GENERATED"
	ChannelPartner      Channel = "PARTNER_REFERRAL"
)

// ChannelInfo describes one Channel.
type ChannelInfo struct {
	Code      Channel `json:"code"`
	Label     string  `json:"label"`
	Emergency bool    `json:"emergency"` // arrives as a 999 contact
}

// Channels lists every Channel.
var Channels = []ChannelInfo{
	{ChannelEmergency, "999 call", true},
	{ChannelNonEmergency, "101 call", false},
	{ChannelTextRelay, "999 text relay", true},
	{ChannelVideoRelay, "999 BSL video relay", true},
	{ChannelOnline, "Online report", false},
	{ChannelEmail, "Email", false},
	{ChannelSMS, "SMS", false},
	{ChannelSocialMedia, "Social media", false},
	{ChannelInPerson, "In person (front counter)", false},
	{ChannelOfficer, "Officer generated", false},
	{ChannelPartner, "Partner agency referral", false},
}

// Valid reports whether c is in Channels.
func (c Channel) Valid() bool {
	return slices.ContainsFunc(Channels, func(ci ChannelInfo) bool { return ci.Code == c })
}

// ContactID identifies a Contact within its force.
type ContactID int64

// Caller is who made a contact. It is personal data: it travels only in
// events marked Personal and is read only through an audited consultation.
type Caller struct {
	Name      string `json:"name,omitempty"`
	Number    string `json:"number,omitempty"` // as presented by the network or given
	Callback  bool   `json:"callback"`         // the caller may be called back on Number
	Anonymous bool   `json:"anonymous"`        // the caller withheld their identity
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ()-]{3,24}$`)

// NormalisedNumber is the caller's number reduced to digits in
// international form without the "+", so repeat checks match however it was
// typed: a UK national number's leading 0 becomes 44, an international
// prefix 00 is dropped, and the trunk 0 of "+44 (0)…" is dropped.
func (c Caller) NormalisedNumber() string {
	var b strings.Builder
	for _, r := range c.Number {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "00"):
		n = n[2:]
	case strings.HasPrefix(n, "0"):
		n = "44" + n[1:]
	}
	// No UK national significant number starts with 0, so a 0 after 44 is
	// the trunk prefix written in brackets: "+44 (0)7700 900123".
	if strings.HasPrefix(n, "440") {
		n = "44" + n[3:]
	}
	return n
}

// Contact is one communication from the public on one channel. Every
// contact is linked to an incident, new or existing (DOMAIN 2.5).
type Contact struct {
	ID         ContactID     `json:"id"`
	ForceID    ForceID       `json:"force"`
	Reference  string        `json:"reference"` // given to the caller, e.g. "C-27NOV26-0042"
	Channel    Channel       `json:"channel"`
	ReceivedAt time.Time     `json:"received_at"`
	Caller     Caller        `json:"caller"`
	Location   Location      `json:"location"`
	Account    string        `json:"account"` // what is happening, in the caller's words as recorded
	IncidentID IncidentID    `json:"incident_id"`
	Incident   string        `json:"incident_number,omitempty"`
	HandledBy  string        `json:"handled_by"`
	Checks     ContactChecks `json:"checks"`
}

// ContactChecks are the repeat and vulnerability checks run automatically
// on every contact (DOMAIN 2.7), against the force's earlier contacts within
// its configured window.
type ContactChecks struct {
	RepeatCaller   []string `json:"repeat_caller"`   // references of earlier contacts from the same number
	RepeatLocation []string `json:"repeat_location"` // earlier contacts at the same place
	// Vulnerable is set when an earlier contact from the same number or place
	// was assessed as involving a vulnerable person.
	Vulnerable bool `json:"vulnerable"`
	// ASBCaseReview is set when this caller has reported ASB at least three
	// times in six months, the usual ASB Case Review threshold (ASB, Crime
	// and Policing Act 2014 s.104).
	ASBCaseReview bool `json:"asb_case_review"`
}

// MaxAccount is the longest account text accepted.
const MaxAccount = 20000

// Validate checks c (not its links) and records every fault, checking the
// location against area.
func (c *Contact) Validate(area *Area) error {
	fields := map[string]string{}
	c.validate(area, fields)
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

func (c *Contact) validate(area *Area, fields map[string]string) {
	if !c.Channel.Valid() {
		fields["channel"] = "unknown channel " + quoteShort(string(c.Channel))
	}
	c.Caller.Name = strings.TrimSpace(c.Caller.Name)
	if !utf8.ValidString(c.Caller.Name) || len(c.Caller.Name) > 200 {
		fields["caller.name"] = "must be text of at most 200 bytes"
	}
	if c.Caller.Anonymous && c.Caller.Name != "" {
		fields["caller.name"] = "must be empty for an anonymous caller"
	}
	if c.Caller.Number != "" && !phonePattern.MatchString(c.Caller.Number) {
		fields["caller.number"] = "must be a telephone number of digits, spaces, brackets and hyphens"
	}
	if c.Caller.Callback && c.Caller.Number == "" {
		fields["caller.number"] = "is required when the caller can be called back"
	}
	c.Account = strings.TrimSpace(c.Account)
	switch {
	case !utf8.ValidString(c.Account) || len(c.Account) > MaxAccount:
		fields["account"] = "must be text of at most 20000 bytes"
	case c.Account == "":
		fields["account"] = "is required: what is happening"
	}
	c.Location.validate(area, "location.", fields)
}
