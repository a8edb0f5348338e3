package bluelamp

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// Event types of the pocket notebook.
const (
	EventNotebookEntryAdded EventType = "notebook.entry_added"
	EventNotebookReviewed   EventType = "notebook.reviewed"
	EventNotebookExported   EventType = "notebook.exported"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventNotebookEntryAdded: {Audience: operations, Personal: true},
		EventNotebookReviewed:   {Audience: operations, Personal: true}, // the comment may name people
		EventNotebookExported:   {Audience: []Role{RoleSupervisor, RoleForceAdmin, RoleAuditor}},
	})
}

// MaxNotebookText is the longest notebook entry accepted.
const MaxNotebookText = 20000

// NotebookEntry is one entry in an officer's pocket notebook (DOMAIN 4.2):
// numbered 1, 2, 3… per officer with no gaps, timestamped by the server,
// never edited or deleted. A mistake is put right by a new entry that
// corrects the earlier one, which stays as it was. Personal data.
type NotebookEntry struct {
	FormRecord
	FormHeader
	Number   int64  `json:"number"` // set by the store: the officer's next
	Text     string `json:"text"`
	Corrects int64  `json:"corrects,omitempty"` // the number of the officer's earlier entry this corrects

	// Set when read: the entries that correct this one, and the hash of the
	// entry's event in the force's hash-chained log.
	CorrectedBy []int64 `json:"corrected_by,omitempty"`
	EventHash   Hash    `json:"event_hash,omitempty"`
}

// Validate checks e as received at now and reports every fault by field.
func (e *NotebookEntry) Validate(now time.Time) error {
	fields := map[string]string{}
	e.FormHeader.validate(now, fields)
	checkText(&e.Text, MaxNotebookText, true, "text", fields)
	if e.Corrects < 0 {
		fields["corrects"] = "must be the number of an earlier entry"
	}
	return formErr(fields)
}

// Label is a one-line summary of e that names no one.
func (e *NotebookEntry) Label() string {
	if e.Corrects > 0 {
		return fmt.Sprintf("Pocket notebook entry %d, correcting entry %d", e.Number, e.Corrects)
	}
	return fmt.Sprintf("Pocket notebook entry %d", e.Number)
}

// NotebookReview is a supervisor's review of a range of an officer's
// entries: who, when and what they said. It is its own event; the entries
// are unchanged.
type NotebookReview struct {
	CollarNumber string `json:"collar_number"` // the officer whose notebook it is
	From         int64  `json:"from"`
	To           int64  `json:"to"` // the last entry reviewed; From when zero
	Comment      string `json:"comment,omitempty"`

	// Set by the store.
	ID             int64     `json:"id"`
	ForceID        ForceID   `json:"force"`
	OfficerID      UserID    `json:"officer_id"`
	ReviewerID     UserID    `json:"reviewer_id"`
	Reviewer       string    `json:"reviewer"`
	ReviewerCollar string    `json:"reviewer_collar,omitempty"`
	ReviewedAt     time.Time `json:"reviewed_at"`
}

// MaxReviewRange is the most entries one review covers.
const MaxReviewRange = 1000

// Validate reports every fault of r's range and comment, setting To to
// From when it is zero.
func (r *NotebookReview) Validate() error {
	fields := map[string]string{}
	if !collarPattern.MatchString(r.CollarNumber) {
		fields["collar_number"] = "must be the officer's collar number: 1 to 10 upper-case letters and digits"
	}
	if r.To == 0 {
		r.To = r.From
	}
	switch {
	case r.From < 1:
		fields["from"] = "must be an entry number"
	case r.To < r.From:
		fields["to"] = "must not be before from"
	case r.To-r.From >= MaxReviewRange:
		fields["to"] = fmt.Sprintf("a review covers at most %d entries", MaxReviewRange)
	}
	checkText(&r.Comment, 2000, false, "comment", fields)
	return formErr(fields)
}

// NotebookFilter selects entries of one officer's notebook.
type NotebookFilter struct {
	Collar *string // another officer's notebook; nil for the caller's own
	From   int64   // the first entry number, 0 for the first
	To     int64   // the last entry number, 0 for the last
	Limit  int     // at most this many (newest first); 0 for the store's default
}

// Notebook is a run of one officer's notebook: its entries, and the reviews
// that cover them. An export carries its digest and who made it when.
type Notebook struct {
	ForceID      ForceID           `json:"force"`
	OfficerID    UserID            `json:"officer_id"`
	CollarNumber string            `json:"collar_number"`
	OfficerName  string            `json:"officer_name"`
	Entries      []*NotebookEntry  `json:"entries"`
	Reviews      []*NotebookReview `json:"reviews"`
	Digest       Hash              `json:"digest,omitempty"`
	ExportedAt   *time.Time        `json:"exported_at,omitempty"`
	ExportedBy   string            `json:"exported_by,omitempty"`
}

// Canonical returns the encoding of n that its digest hashes: the force,
// the officer, then each entry in number order and each review in the order
// given, every field length-prefixed as in Event.Canonical and every time
// in UTC microseconds. A printed export can be checked against a fresh
// export, or against the digest in the notebook.exported event.
func (n *Notebook) Canonical() []byte {
	var b []byte
	b = appendField(b, "notebook/v1")
	b = appendField(b, string(n.ForceID))
	b = binary.BigEndian.AppendUint64(b, uint64(n.OfficerID))
	b = appendField(b, n.CollarNumber)
	entries := slices.Clone(n.Entries)
	slices.SortFunc(entries, func(a, b *NotebookEntry) int { return int(a.Number - b.Number) })
	b = binary.BigEndian.AppendUint32(b, uint32(len(entries)))
	for _, e := range entries {
		b = binary.BigEndian.AppendUint64(b, uint64(e.Number))
		b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixMicro()))
		b = binary.BigEndian.AppendUint64(b, uint64(e.TakenAt.UnixMicro()))
		b = binary.BigEndian.AppendUint64(b, uint64(e.IncidentID))
		b = binary.BigEndian.AppendUint64(b, uint64(e.Corrects))
		b = appendField(b, e.Text)
		b = appendField(b, string(e.EventHash))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(n.Reviews)))
	for _, r := range n.Reviews {
		b = binary.BigEndian.AppendUint64(b, uint64(r.From))
		b = binary.BigEndian.AppendUint64(b, uint64(r.To))
		b = appendField(b, r.Reviewer)
		b = binary.BigEndian.AppendUint64(b, uint64(r.ReviewedAt.UnixMicro()))
		b = appendField(b, r.Comment)
	}
	return b
}

// ComputeDigest returns the SHA-256 of n's canonical encoding.
func (n *Notebook) ComputeDigest() Hash {
	h := sha256.Sum256(n.Canonical())
	return h[:]
}
