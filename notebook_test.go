package bluelamp

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNotebookEntryValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    NotebookEntry
		want []string
	}{
		{"OK", NotebookEntry{FormHeader: FormHeader{TakenAt: formNow}, Text: "1405 arrived at scene"}, nil},
		{"OKCorrection", NotebookEntry{FormHeader: FormHeader{TakenAt: formNow}, Text: "correction: 1406", Corrects: 3}, nil},
		{"ErrEmpty", NotebookEntry{}, []string{"taken_at", "text"}},
		{"ErrBlank", NotebookEntry{FormHeader: FormHeader{TakenAt: formNow}, Text: " \n\t"}, []string{"text"}},
		{"ErrLong", NotebookEntry{FormHeader: FormHeader{TakenAt: formNow}, Text: strings.Repeat("x", MaxNotebookText+1)}, []string{"text"}},
		{"ErrNegativeCorrects", NotebookEntry{FormHeader: FormHeader{TakenAt: formNow}, Text: "x", Corrects: -1}, []string{"corrects"}},
		{"ErrBadClientID", NotebookEntry{FormHeader: FormHeader{ClientID: "abc", TakenAt: formNow}, Text: "x"}, []string{"client_id"}},
		{"ErrNegativeIncident", NotebookEntry{FormHeader: FormHeader{IncidentID: -1, TakenAt: formNow}, Text: "x"}, []string{"incident_id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := faultsOf(tc.e.Validate(formNow)); !slices.Equal(got, tc.want) {
				t.Fatalf("faults %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNotebookReviewValidate(t *testing.T) {
	t.Parallel()
	r := NotebookReview{CollarNumber: "4021", From: 3}
	if err := r.Validate(); err != nil || r.To != 3 {
		t.Fatalf("a one-entry review: %v, to %d", err, r.To)
	}
	tests := []struct {
		name string
		r    NotebookReview
		want []string
	}{
		{"ErrNoCollar", NotebookReview{From: 1}, []string{"collar_number"}},
		{"ErrLowerCollar", NotebookReview{CollarNumber: "pc4021", From: 1}, []string{"collar_number"}},
		{"ErrNoFrom", NotebookReview{CollarNumber: "1"}, []string{"from"}},
		{"ErrBackwards", NotebookReview{CollarNumber: "1", From: 5, To: 4}, []string{"to"}},
		{"ErrTooMany", NotebookReview{CollarNumber: "1", From: 1, To: MaxReviewRange + 1}, []string{"to"}},
		{"ErrLongComment", NotebookReview{CollarNumber: "1", From: 1, Comment: strings.Repeat("x", 2001)}, []string{"comment"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := faultsOf(tc.r.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("faults %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNotebookDigest(t *testing.T) {
	t.Parallel()
	entry := func(n int64, text string) *NotebookEntry {
		return &NotebookEntry{FormRecord: FormRecord{RecordedAt: formNow.Add(time.Duration(n) * time.Minute)},
			FormHeader: FormHeader{TakenAt: formNow}, Number: n, Text: text, EventHash: Hash{byte(n)}}
	}
	nb := func(entries ...*NotebookEntry) *Notebook {
		return &Notebook{ForceID: "alpha", OfficerID: 7, CollarNumber: "4021", Entries: entries,
			Reviews: []*NotebookReview{{From: 1, To: 2, Reviewer: "sgt", ReviewedAt: formNow, Comment: "ok"}}}
	}
	a := nb(entry(1, "one"), entry(2, "two")).ComputeDigest()
	if len(a) != 32 {
		t.Fatalf("digest of %d bytes", len(a))
	}
	// The digest is of the entries in number order, however they are held.
	if b := nb(entry(2, "two"), entry(1, "one")).ComputeDigest(); !slices.Equal(a, b) {
		t.Error("the digest depends on the order entries are held in")
	}
	for name, other := range map[string]*Notebook{
		"text":     nb(entry(1, "one"), entry(2, "tw0")),
		"entry":    nb(entry(1, "one")),
		"boundary": nb(entry(1, "on"), entry(2, "etwo")),
		"officer":  {ForceID: "alpha", OfficerID: 8, CollarNumber: "4021", Entries: []*NotebookEntry{entry(1, "one"), entry(2, "two")}},
	} {
		if slices.Equal(a, other.ComputeDigest()) {
			t.Errorf("changing the %s leaves the digest alone", name)
		}
	}
	e := entry(4, "x")
	e.Corrects = 2
	if e.Label() != "Pocket notebook entry 4, correcting entry 2" || strings.Contains(e.Label(), "x") {
		t.Errorf("label %q", e.Label())
	}
}
