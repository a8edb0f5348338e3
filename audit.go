package bluelamp

import (
	"encoding/binary"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditAction is one of the six kinds of processing DPA 2018 s.62(1) says
// must be logged.
type AuditAction string

const (
	AuditCollection   AuditAction = "collection"
	AuditAlteration   AuditAction = "alteration"
	AuditConsultation AuditAction = "consultation"
	AuditDisclosure   AuditAction = "disclosure"
	AuditCombination  AuditAction = "combination"
	AuditErasure      AuditAction = "erasure"
)

// AuditActions lists every AuditAction.
var AuditActions = []AuditAction{AuditCollection, AuditAlteration, AuditConsultation, AuditDisclosure, AuditCombination, AuditErasure}

// Valid reports whether a is one of AuditActions.
func (a AuditAction) Valid() bool { return slices.Contains(AuditActions, a) }

// ReasonCode is why someone is looking at personal data, from the force's list.
type ReasonCode string

// ReasonCodeInfo describes one reason code.
type ReasonCodeInfo struct {
	Code         ReasonCode `json:"code"`
	Label        string     `json:"label"`
	TextRequired bool       `json:"text_required"` // the free-text justification must be given
}

// DefaultReasonCodes is the national default list, after the PNC access
// reasons (DOMAIN 4.6); a force may replace it in a later issue.
var DefaultReasonCodes = []ReasonCodeInfo{
	{Code: "INCIDENT", Label: "Attending or managing an incident"},
	{Code: "INVESTIGATION", Label: "Investigation of an offence"},
	{Code: "INTELLIGENCE", Label: "Intelligence or crime prevention"},
	{Code: "SAFEGUARDING", Label: "Protecting a child or vulnerable person"},
	{Code: "STOP", Label: "Stop and search or stop and account"},
	{Code: "ROADS", Label: "Road traffic or vehicle check"},
	{Code: "WANTED", Label: "Wanted, missing or warrant enquiry"},
	{Code: "DISCLOSURE", Label: "Disclosure to court or an agreed partner"},
	{Code: "ADMIN", Label: "Administration of user accounts and force records", TextRequired: true},
	{Code: "AUDIT", Label: "Audit, data protection or professional standards", TextRequired: true},
	{Code: "OTHER", Label: "Other lawful policing purpose (explain)", TextRequired: true},
}

// Justification is the reason given for processing personal data: s.62(3)
// requires that consultation and disclosure logs establish it.
type Justification struct {
	Reason      ReasonCode `json:"reason"`
	Text        string     `json:"text,omitempty"`
	IncidentRef string     `json:"incident_ref,omitempty"`
}

// Validate returns ErrJustificationRequired when no reason is given, and a
// KindInvalid error naming the fault otherwise.
func (j Justification) Validate() error {
	if j.Reason == "" {
		return ErrJustificationRequired
	}
	i := slices.IndexFunc(DefaultReasonCodes, func(r ReasonCodeInfo) bool { return r.Code == j.Reason })
	fields := map[string]string{}
	if i < 0 {
		fields["reason"] = "unknown reason code " + string(j.Reason)
	} else if DefaultReasonCodes[i].TextRequired && strings.TrimSpace(j.Text) == "" {
		fields["justification"] = "reason " + string(j.Reason) + " needs a written justification"
	}
	if !utf8.ValidString(j.Text) || len(j.Text) > 1000 {
		fields["justification"] = "must be valid text of at most 1000 bytes"
	}
	if !utf8.ValidString(j.IncidentRef) || len(j.IncidentRef) > 64 {
		fields["incident_ref"] = "must be valid text of at most 64 bytes"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// AuditRecord is one s.62 log entry. Audit records form their own per-force
// hash chain, separate from the event log, so the audit trail can be kept,
// queried and handed to the Information Commissioner on its own.
type AuditRecord struct {
	ForceID       ForceID       `json:"force"`
	Seq           int64         `json:"seq"`
	Time          time.Time     `json:"time"`
	Action        AuditAction   `json:"action"`
	ActorKind     ActorKind     `json:"actor_kind"`
	ActorID       UserID        `json:"actor_id,omitempty"`
	Actor         string        `json:"actor"`
	ActorRoles    []Role        `json:"actor_roles"`
	SessionID     string        `json:"session_id,omitempty"`
	What          string        `json:"what"`     // the record type and operation, e.g. "user.list"
	Records       []string      `json:"records"`  // record ids touched, e.g. "user/12"
	Subjects      []string      `json:"subjects"` // data subjects, e.g. "user/12"
	Justification Justification `json:"justification"`
	Recipient     string        `json:"recipient,omitempty"`    // for disclosure: who received it
	AgreementID   string        `json:"agreement_id,omitempty"` // for disclosure: the sharing agreement
	PrevHash      Hash          `json:"prev_hash"`
	Hash          Hash          `json:"hash"`
}

// Canonical returns the encoding of r that the audit chain hashes.
func (r *AuditRecord) Canonical() []byte {
	var b []byte
	b = appendField(b, "audit/v1")
	b = appendField(b, string(r.ForceID))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Time.UnixMicro()))
	b = appendField(b, string(r.Action))
	b = appendField(b, string(r.ActorKind))
	b = binary.BigEndian.AppendUint64(b, uint64(r.ActorID))
	b = appendField(b, r.Actor)
	b = appendList(b, r.ActorRoles)
	b = appendField(b, r.SessionID)
	b = appendField(b, r.What)
	b = appendList(b, r.Records)
	b = appendList(b, r.Subjects)
	b = appendField(b, string(r.Justification.Reason))
	b = appendField(b, r.Justification.Text)
	b = appendField(b, r.Justification.IncidentRef)
	b = appendField(b, r.Recipient)
	b = appendField(b, r.AgreementID)
	return b
}

func appendList[S ~string](b []byte, list []S) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(list)))
	for _, s := range list {
		b = appendField(b, string(s))
	}
	return b
}

// Seal sets r.PrevHash to prev and r.Hash to the chain hash over them.
func (r *AuditRecord) Seal(prev Hash) {
	r.PrevHash = prev
	r.Hash = ChainHash(prev, r.Canonical())
}

// AuditFilter selects audit records of the caller's force; nil means any.
type AuditFilter struct {
	ActorID *UserID
	Subject *string // a data subject, e.g. "user/12"
	Action  *AuditAction
	From    *time.Time // inclusive
	To      *time.Time // exclusive
	Offset  int
	Limit   int
}
