package bluelamp

import (
	"context"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Event types of partners and safeguarding referrals.
const (
	EventPartnerCreated            EventType = "partner.created"
	EventReferralCreated           EventType = "referral.created"
	EventReferralDeliveryAttempted EventType = "referral.delivery_attempted"
	EventReferralAcknowledged      EventType = "referral.acknowledged"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventPartnerCreated: {Audience: admins},
		// A referral carries the details of a child or adult at risk.
		EventReferralCreated:           {Audience: referralAudience, Personal: true},
		EventReferralDeliveryAttempted: {Audience: referralAudience},
		// The partner's outcome may describe the person.
		EventReferralAcknowledged: {Audience: referralAudience, Personal: true},
	})
}

// referralAudience is who sees referral events: the officers who make
// referrals, their supervisors, and the force's admins and auditors.
var referralAudience = []Role{RoleSupervisor, RoleResponseOfficer, RoleNeighbourhoodOfficer, RoleForceAdmin, RoleAuditor}

// PartnerID identifies a Partner within its force.
type PartnerID int64

// Partner is an organisation a force sends safeguarding referrals to (a
// MASH, children's or adult social care, a domestic abuse service),
// configured by the force's admins: the referral types it accepts and how
// they reach it, by email and/or a signed webhook.
type Partner struct {
	ID      PartnerID      `json:"id"`
	ForceID ForceID        `json:"force"`
	Name    string         `json:"name"`
	Accepts []ReferralType `json:"accepts"`
	Email   string         `json:"email,omitempty"`
	// WebhookURL receives each referral as a JSON POST signed with an
	// HMAC-SHA256 of Secret (see docs/EVIDENCE.md).
	WebhookURL string `json:"webhook_url,omitempty"`
	Secret     string `json:"-"` // never shown after the partner is created
	// UserIDs are the users (with the partner_agency role) who act for the
	// partner: only they may acknowledge its referrals.
	UserIDs   []UserID  `json:"user_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// MinWebhookSecret is the shortest webhook secret accepted, in bytes.
const MinWebhookSecret = 32

// Validate checks p and reports every fault at once.
func (p *Partner) Validate() error {
	fields := map[string]string{}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || len(p.Name) > 200 || !evidenceText(p.Name) {
		fields["name"] = "is required (text of at most 200 bytes)"
	}
	if len(p.Accepts) == 0 {
		fields["accepts"] = "list the referral types the partner accepts"
	}
	for i, t := range p.Accepts {
		if _, ok := t.Info(); !ok {
			fields["accepts"] = "unknown referral type " + quoteShort(string(t))
		} else if slices.Contains(p.Accepts[:i], t) {
			fields["accepts"] = "lists " + string(t) + " twice"
		}
	}
	if p.Email == "" && p.WebhookURL == "" {
		fields["email"] = "give an email address, a webhook URL, or both"
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || len(p.Email) > 254 {
			fields["email"] = "must be a plain email address"
		}
	}
	if p.WebhookURL != "" {
		if msg := checkWebhookURL(p.WebhookURL); msg != "" {
			fields["webhook_url"] = msg
		}
		if len(p.Secret) < MinWebhookSecret || len(p.Secret) > 256 || !evidenceText(p.Secret) {
			fields["webhook_secret"] = "must be 32 to 256 bytes of text (leave it out to have one generated)"
		}
	} else if p.Secret != "" {
		fields["webhook_secret"] = "is only for a partner with a webhook_url"
	}
	for _, id := range p.UserIDs {
		if id <= 0 {
			fields["user_ids"] = "must be user ids"
		}
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// checkWebhookURL returns what is wrong with a webhook URL, or "". It must
// be https, or http to this machine (for a receiver on the same host).
func checkWebhookURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || len(s) > 2000 {
		return "must be an absolute https:// URL without credentials or fragment"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return ""
		}
		return "must use https:// (http:// only to this machine)"
	}
	return "must be an absolute https:// URL without credentials or fragment"
}

// AcceptsType reports whether p accepts referrals of type t.
func (p *Partner) AcceptsType(t ReferralType) bool { return slices.Contains(p.Accepts, t) }

// ReferralType is a kind of safeguarding referral (DOMAIN 4.5). Each type
// lists exactly the fields it carries: nothing else is ever sent (DOMAIN
// 5.4, "never copy more data than the agreement lists").
type ReferralType string

const (
	ReferralChildAtRisk   ReferralType = "CHILD_AT_RISK"
	ReferralAdultAtRisk   ReferralType = "ADULT_AT_RISK"
	ReferralDomesticAbuse ReferralType = "DOMESTIC_ABUSE"
	ReferralMentalHealth  ReferralType = "MENTAL_HEALTH"
	ReferralMissingPerson ReferralType = "MISSING_PERSON"
)

// FieldKind says what a referral field holds. Every value travels as text.
type FieldKind string

const (
	FieldText     FieldKind = "text"     // free text
	FieldDate     FieldKind = "date"     // YYYY-MM-DD, not in the future
	FieldDateTime FieldKind = "datetime" // RFC 3339, not in the future
	FieldChoice   FieldKind = "choice"   // one of Choices
	FieldYesNo    FieldKind = "yes_no"   // "yes" or "no"
	FieldNumber   FieldKind = "number"   // a whole number from Min to Max
)

// ReferralField is one field a referral type carries.
type ReferralField struct {
	Name     string    `json:"name"`
	Label    string    `json:"label"`
	Kind     FieldKind `json:"kind"`
	Required bool      `json:"required"`
	Choices  []string  `json:"choices,omitempty"`
	Min      int       `json:"min,omitempty"`
	Max      int       `json:"max,omitempty"`
}

// ReferralTypeInfo describes a referral type: its label, the legal gateway
// for sharing it (DOMAIN 4.5) and the fields it carries, in the order they
// are shown and sent.
type ReferralTypeInfo struct {
	Code    ReferralType    `json:"code"`
	Label   string          `json:"label"`
	Gateway string          `json:"gateway"`
	Fields  []ReferralField `json:"fields"`
}

// MaxReferralText is the longest value of a text field, in bytes.
const MaxReferralText = 4000

// Fields every referral type carries about its subject and the concern.
var (
	fieldSubjectName    = ReferralField{Name: "subject_name", Label: "Name of the person at risk", Kind: FieldText, Required: true}
	fieldSubjectDOB     = ReferralField{Name: "subject_dob", Label: "Their date of birth", Kind: FieldDate}
	fieldSubjectAddress = ReferralField{Name: "subject_address", Label: "Their address", Kind: FieldText, Required: true}
	fieldConcern        = ReferralField{Name: "concern", Label: "The concern and the evidence for it", Kind: FieldText, Required: true}
	fieldRiskView       = ReferralField{Name: "officer_risk_view", Label: "The officer's view of the risk", Kind: FieldChoice, Required: true,
		Choices: []string{"STANDARD", "MEDIUM", "HIGH"}}
	fieldActions = ReferralField{Name: "actions_taken", Label: "Actions taken by police", Kind: FieldText}
)

// ReferralTypes lists every referral type. The gateways are the usual ones
// [K]; a force's agreements may name others.
var ReferralTypes = []ReferralTypeInfo{
	{Code: ReferralChildAtRisk, Label: "Child at risk", Gateway: "Children Act 1989 s.47; Children Act 2004 s.11; DPA 2018 Sch. 8 para. 4",
		Fields: []ReferralField{fieldSubjectName, fieldSubjectDOB, fieldSubjectAddress,
			{Name: "parents_carers", Label: "Parents or carers", Kind: FieldText},
			{Name: "household_children", Label: "Other children in the household (names and ages)", Kind: FieldText},
			{Name: "school", Label: "School or nursery", Kind: FieldText},
			fieldConcern, {Name: "child_voice", Label: "What the child said, in their words", Kind: FieldText}, fieldRiskView, fieldActions}},
	{Code: ReferralAdultAtRisk, Label: "Adult at risk", Gateway: "Care Act 2014 s.42; DPA 2018 Sch. 8 para. 4",
		Fields: []ReferralField{fieldSubjectName, fieldSubjectDOB, fieldSubjectAddress,
			{Name: "care_needs", Label: "Care and support needs", Kind: FieldText, Required: true},
			{Name: "carer", Label: "Carer or next of kin", Kind: FieldText},
			fieldConcern, fieldRiskView, fieldActions}},
	{Code: ReferralDomesticAbuse, Label: "Domestic abuse", Gateway: "Crime and Disorder Act 1998 s.115; DPA 2018 Sch. 8 para. 4",
		Fields: []ReferralField{fieldSubjectName, fieldSubjectDOB, fieldSubjectAddress,
			{Name: "dash_risk", Label: "DASH risk level", Kind: FieldChoice, Required: true, Choices: []string{"STANDARD", "MEDIUM", "HIGH"}},
			{Name: "dash_score", Label: "DASH questions answered yes (0 to 27)", Kind: FieldNumber, Min: 0, Max: 27},
			{Name: "perpetrator_name", Label: "Name of the person causing harm", Kind: FieldText},
			{Name: "relationship", Label: "Their relationship", Kind: FieldText},
			{Name: "children_present", Label: "Children in the household", Kind: FieldYesNo, Required: true},
			{Name: "household_children", Label: "Children in the household (names and ages)", Kind: FieldText},
			{Name: "marac", Label: "Referred to MARAC", Kind: FieldYesNo},
			fieldConcern, fieldRiskView, fieldActions}},
	{Code: ReferralMentalHealth, Label: "Mental health", Gateway: "DPA 2018 Sch. 8 para. 4; Mental Health Act 1983 s.136 where used",
		Fields: []ReferralField{fieldSubjectName, fieldSubjectDOB, fieldSubjectAddress,
			{Name: "presentation", Label: "How the person presented", Kind: FieldText, Required: true},
			{Name: "known_services", Label: "Services known to be involved", Kind: FieldText},
			fieldConcern, fieldRiskView, fieldActions}},
	{Code: ReferralMissingPerson, Label: "Missing person", Gateway: "DPA 2018 Sch. 8 para. 4; Children Act 2004 s.11 for a child",
		Fields: []ReferralField{fieldSubjectName, fieldSubjectDOB, fieldSubjectAddress,
			{Name: "missing_since", Label: "Missing since", Kind: FieldDateTime, Required: true},
			{Name: "returned_at", Label: "Found or returned at", Kind: FieldDateTime},
			{Name: "last_seen", Label: "Where and with whom last seen", Kind: FieldText, Required: true},
			{Name: "missing_risk", Label: "Missing person risk grading", Kind: FieldChoice, Required: true, Choices: []string{"LOW", "MEDIUM", "HIGH"}},
			fieldConcern, fieldRiskView, fieldActions}},
}

// Info returns the type's description; false for an unknown type.
func (t ReferralType) Info() (ReferralTypeInfo, bool) {
	i := slices.IndexFunc(ReferralTypes, func(ti ReferralTypeInfo) bool { return ti.Code == t })
	if i < 0 {
		return ReferralTypeInfo{}, false
	}
	return ReferralTypes[i], true
}

// ConsentStatus says whether the person agreed to the referral. MASH
// referrals are consent-based unless seeking consent would increase the
// risk or cause harmful delay (DOMAIN 4.5).
type ConsentStatus string

const (
	ConsentGiven     ConsentStatus = "GIVEN"
	ConsentRefused   ConsentStatus = "REFUSED"
	ConsentNotSought ConsentStatus = "NOT_SOUGHT"
)

// Consent is the person's consent to the referral and, when it is made
// without it, why.
type Consent struct {
	Status         ConsentStatus `json:"status"`
	OverrideReason string        `json:"override_reason,omitempty"`
}

// ReferralID identifies a Referral within its force.
type ReferralID int64

// Referral is a safeguarding referral to a partner: a typed message
// carrying only its type's fields, delivered by each of the partner's
// methods through a durable outbox, acknowledged by the partner.
type Referral struct {
	ID         ReferralID        `json:"id"`
	ForceID    ForceID           `json:"force"`
	Reference  string            `json:"reference"` // e.g. "R-27NOV26-0003"
	Type       ReferralType      `json:"type"`
	PartnerID  PartnerID         `json:"partner_id"`
	Partner    string            `json:"partner"` // its name
	IncidentID IncidentID        `json:"incident_id,omitempty"`
	Incident   string            `json:"incident_number,omitempty"`
	Consent    Consent           `json:"consent"`
	Fields     map[string]string `json:"fields"`
	// ReferredBy is the referring officer's collar number; ReferrerID their user.
	ReferredBy string    `json:"referred_by"`
	ReferrerID UserID    `json:"referrer_id"`
	CreatedAt  time.Time `json:"created_at"`
	// Status sums up the deliveries: FAILED if any failed, DELIVERED when
	// all have been, RETRYING while any is being retried, else PENDING.
	Status          DeliveryStatus `json:"status"`
	Deliveries      []*Delivery    `json:"deliveries"`
	Acknowledgement *ReferralAck   `json:"acknowledgement,omitempty"`
}

// DeliveryMethod is how a referral reaches a partner.
type DeliveryMethod string

const (
	DeliverByEmail   DeliveryMethod = "EMAIL"
	DeliverByWebhook DeliveryMethod = "WEBHOOK"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "PENDING"
	DeliveryRetrying  DeliveryStatus = "RETRYING"
	DeliveryDelivered DeliveryStatus = "DELIVERED"
	DeliveryFailed    DeliveryStatus = "FAILED"
)

// DeliveryID identifies a Delivery within the deployment.
type DeliveryID int64

// Delivery is one method's delivery of a referral, with every attempt.
type Delivery struct {
	ID            DeliveryID         `json:"id"`
	Method        DeliveryMethod     `json:"method"`
	Target        string             `json:"target"` // the address or URL
	Status        DeliveryStatus     `json:"status"`
	Attempts      []*DeliveryAttempt `json:"attempts"`
	NextAttemptAt *time.Time         `json:"next_attempt_at,omitempty"`
	DeliveredAt   *time.Time         `json:"delivered_at,omitempty"`
}

// DeliveryAttempt is one try at a delivery.
type DeliveryAttempt struct {
	N     int       `json:"n"`
	At    time.Time `json:"at"`
	OK    bool      `json:"ok"`
	Error string    `json:"error,omitempty"` // what went wrong, never what was sent
}

// RAGRating is a partner's red/amber/green rating of a referral (DOMAIN 4.5).
type RAGRating string

const (
	RAGRed   RAGRating = "RED"
	RAGAmber RAGRating = "AMBER"
	RAGGreen RAGRating = "GREEN"
)

// ReferralAck is a partner's acknowledgement of a referral, with its own
// reference and, once it has one, its RAG rating and outcome. A later
// acknowledgement replaces an earlier one; each is logged.
type ReferralAck struct {
	At               time.Time `json:"at"`
	By               string    `json:"by"`
	Via              string    `json:"via"` // "api" or "webhook"
	PartnerReference string    `json:"partner_reference,omitempty"`
	RAG              RAGRating `json:"rag,omitempty"`
	Outcome          string    `json:"outcome,omitempty"`
}

// Validate checks what a partner said, cleaning its text.
func (a *ReferralAck) Validate() error {
	fields := map[string]string{}
	a.PartnerReference = strings.TrimSpace(a.PartnerReference)
	a.Outcome = strings.TrimSpace(a.Outcome)
	if len(a.PartnerReference) > 100 || !evidenceText(a.PartnerReference) {
		fields["partner_reference"] = "must be text of at most 100 bytes"
	}
	if a.RAG != "" && a.RAG != RAGRed && a.RAG != RAGAmber && a.RAG != RAGGreen {
		fields["rag"] = "must be RED, AMBER or GREEN"
	}
	if len(a.Outcome) > MaxReferralText || !evidenceText(a.Outcome) {
		fields["outcome"] = "must be text of at most 4000 bytes"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// Validate checks r against its type at now: the type must be known, every
// field it sets must be one the type lists (and is named if not: nothing
// more than the type lists is ever copied), every required field must be
// given, and a referral without consent needs the reason. It reports every
// fault at once, fields as "fields.NAME".
func (r *Referral) Validate(now time.Time) error {
	fields := map[string]string{}
	info, ok := r.Type.Info()
	if !ok {
		fields["type"] = "unknown referral type " + quoteShort(string(r.Type))
	}
	if r.PartnerID <= 0 {
		fields["partner_id"] = "is required: the partner to refer to"
	}
	if r.IncidentID < 0 {
		fields["incident_id"] = "must be an incident id"
	}
	r.Consent.OverrideReason = strings.TrimSpace(r.Consent.OverrideReason)
	switch r.Consent.Status {
	case ConsentGiven:
		if r.Consent.OverrideReason != "" {
			fields["consent.override_reason"] = "is only for a referral made without consent"
		}
	case ConsentRefused, ConsentNotSought:
		if r.Consent.OverrideReason == "" {
			fields["consent.override_reason"] = "is required: why the referral is made without consent (e.g. seeking it would increase the risk)"
		}
	default:
		fields["consent.status"] = "must be GIVEN, REFUSED or NOT_SOUGHT"
	}
	if len(r.Consent.OverrideReason) > MaxReferralText || !evidenceText(r.Consent.OverrideReason) {
		fields["consent.override_reason"] = "must be text of at most 4000 bytes"
	}
	if ok {
		for name, v := range r.Fields {
			i := slices.IndexFunc(info.Fields, func(f ReferralField) bool { return f.Name == name })
			if i < 0 {
				fields["fields."+quoteName(name)] = "is not a field of a " + info.Label + " referral; only the listed fields are shared"
				continue
			}
			v = strings.TrimSpace(v)
			r.Fields[name] = v
			if msg := info.Fields[i].check(v, now); msg != "" {
				fields["fields."+name] = msg
			}
		}
		for _, f := range info.Fields {
			if v := r.Fields[f.Name]; f.Required && v == "" {
				fields["fields."+f.Name] = "is required for a " + info.Label + " referral"
			} else if v == "" {
				delete(r.Fields, f.Name)
			}
		}
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// quoteName shows a field name from a request in an error, cut short.
func quoteName(s string) string {
	if len(s) > 40 || !evidenceText(s) {
		return strconv.QuoteToASCII(s[:min(len(s), 40)])
	}
	return s
}

// check returns what is wrong with v for f, or "" ("" itself is left to
// the required check).
func (f ReferralField) check(v string, now time.Time) string {
	if v == "" {
		return ""
	}
	switch f.Kind {
	case FieldText:
		if len(v) > MaxReferralText || !evidenceText(v) {
			return "must be text of at most 4000 bytes"
		}
	case FieldDate:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return "must be a date, YYYY-MM-DD"
		}
		if d.After(now) {
			return "must not be in the future"
		}
	case FieldDateTime:
		d, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "must be an RFC 3339 time, e.g. 2026-11-27T08:00:00Z"
		}
		if d.After(now.Add(5 * time.Minute)) {
			return "must not be in the future"
		}
	case FieldChoice:
		if !slices.Contains(f.Choices, v) {
			return "must be one of " + strings.Join(f.Choices, ", ")
		}
	case FieldYesNo:
		if v != "yes" && v != "no" {
			return `must be "yes" or "no"`
		}
	case FieldNumber:
		n, err := strconv.Atoi(v)
		if err != nil || n < f.Min || n > f.Max {
			return "must be a whole number from " + itoa(f.Min) + " to " + itoa(f.Max)
		}
	}
	return ""
}

// SummaryStatus sums up deliveries as Referral.Status describes.
func SummaryStatus(ds []*Delivery) DeliveryStatus {
	all, retrying := len(ds) > 0, false
	for _, d := range ds {
		switch d.Status {
		case DeliveryFailed:
			return DeliveryFailed
		case DeliveryRetrying:
			retrying = true
		}
		all = all && d.Status == DeliveryDelivered
	}
	switch {
	case all:
		return DeliveryDelivered
	case retrying:
		return DeliveryRetrying
	}
	return DeliveryPending
}

// ReferralReference formats a referral's daily serial, e.g. "R-27NOV26-0003".
func ReferralReference(serial int, day time.Time) string {
	n := itoa(serial)
	for len(n) < 4 {
		n = "0" + n
	}
	return "R-" + dayStamp(day) + "-" + n
}

// ReferralFilter selects referrals of the caller's force; nil means any.
type ReferralFilter struct {
	IncidentID *IncidentID
	ReferrerID *UserID
	Offset     int
	Limit      int
}

// DeliveryJob is a claimed delivery, with what the deliverer needs to send
// it: the referral and the partner's current secret.
type DeliveryJob struct {
	ID       DeliveryID
	ForceID  ForceID
	Claim    string // proves this claim when its outcome is recorded
	Method   DeliveryMethod
	Target   string
	Secret   string // the partner's webhook secret
	Attempts int    // attempts made before this one
	Referral *Referral
}

// DeliveryOutcome is how one attempt went.
type DeliveryOutcome struct {
	OK    bool
	Error string // short, safe to show the officer: never the message or the response
	// Retry is when to try again after a failure; nil gives up (FAILED).
	Retry *time.Time
	// Ack is the partner's acknowledgement, when the webhook's answer held one.
	Ack *ReferralAck
}

// ReferralStore holds partners, referrals and the durable outbox that
// delivers them.
type ReferralStore interface {
	// CreatePartner adds a partner to the caller's force; KindConflict if
	// its name is taken, KindInvalid naming user_ids if a user is not the
	// force's.
	CreatePartner(ctx context.Context, p *Partner) error
	// FindPartners returns the caller's force's partners by name, without
	// their secrets.
	FindPartners(ctx context.Context) ([]*Partner, error)
	// CreateReferral records a referral from the signed-in officer in ctx
	// (audited as a collection) and queues a delivery for each of the
	// partner's methods in the same transaction. KindInvalid naming
	// partner_id for a partner not in the force or not accepting the type,
	// KindNotFound naming incident_id for an incident not in the force.
	CreateReferral(ctx context.Context, r *Referral) error
	// FindReferralByID returns a referral with its deliveries and every
	// attempt, audited as a consultation.
	FindReferralByID(ctx context.Context, id ReferralID, j Justification) (*Referral, error)
	// FindReferrals returns referrals, newest first, with their deliveries
	// (not their attempts), and the total before paging, audited as a
	// consultation.
	FindReferrals(ctx context.Context, f ReferralFilter, j Justification) ([]*Referral, int, error)
	// AcknowledgeReferral records a partner's acknowledgement, by a user
	// who acts for the referral's partner (KindNotFound for anyone else).
	AcknowledgeReferral(ctx context.Context, id ReferralID, ack *ReferralAck) (*Referral, error)
	// ClaimDeliveries claims up to limit deliveries that are due, across
	// every force, for lease: no other claim takes them until it runs out.
	// Only the deployment-wide system actor may call it.
	ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*DeliveryJob, error)
	// RecordDelivery records the outcome of a claimed delivery's attempt,
	// as a system actor of the job's force: DELIVERED (audited as a
	// disclosure to the partner), RETRYING, or FAILED. KindConflict if the
	// claim was lost (its lease ran out and another took it).
	RecordDelivery(ctx context.Context, job *DeliveryJob, o DeliveryOutcome) error
}
