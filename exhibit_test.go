package bluelamp

import (
	"errors"
	"maps"
	"slices"
	"testing"
)

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Kind != KindInvalid {
		t.Fatalf("got %v, want a KindInvalid error", err)
	}
	return slices.Sorted(maps.Keys(e.Fields))
}

func TestExhibitInitials(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"Gabriel Oak": "GO", "fancy day": "FD", "Jean-Luc O'Brien": "JLOB", "Anne Marie de la Tour": "AMDL",
		"Ólafur Arnalds": "ÓA", "PC 1041": "P", "": "X", "  ": "X", "1041": "X",
	} {
		if got := ExhibitInitials(name); got != want {
			t.Errorf("ExhibitInitials(%q) = %q, want %q", name, got, want)
		}
	}
	if got := ExhibitReference("GO", 12); got != "GO/12" {
		t.Errorf("ExhibitReference = %q", got)
	}
}

func TestCleanFilename(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"IMG_0042.JPG": "IMG_0042.JPG", `C:\fakepath\photo.jpg`: "photo.jpg", "../../etc/passwd": "passwd",
		"a\x00b\nc.txt": "abc.txt", "..": "", " x.pdf ": "x.pdf", "dir/": "",
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExhibitValidate(t *testing.T) {
	t.Parallel()
	ok := func() *Exhibit {
		return &Exhibit{Origin: ExhibitSeized, Description: " knife ", SeizedFrom: "kitchen", Filename: `C:\x\IMG.jpg`}
	}
	e := ok()
	if err := e.Validate(); err != nil || e.Description != "knife" || e.Filename != "IMG.jpg" {
		t.Fatalf("Validate = %v, %+v", err, e)
	}
	for _, tc := range []struct {
		name   string
		change func(*Exhibit)
		want   []string
	}{
		{"Empty", func(e *Exhibit) { *e = Exhibit{} }, []string{"description", "origin", "seized_from"}},
		{"Origin", func(e *Exhibit) { e.Origin = "FOUND" }, []string{"origin"}},
		{"LongDescription", func(e *Exhibit) { e.Description = string(make([]byte, 2001)) }, []string{"description"}},
		{"BadUTF8", func(e *Exhibit) { e.SeizedFrom = "\xff" }, []string{"seized_from"}},
		{"Position", func(e *Exhibit) { e.Position = &Position{Lon: 200} }, []string{"position"}},
		{"Filename", func(e *Exhibit) { e.Filename = string(make([]rune, 300)) + "x" }, nil},
	} {
		e := ok()
		tc.change(e)
		if got := fieldsOf(t, e.Validate()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCustodyApply(t *testing.T) {
	t.Parallel()
	type step struct {
		c         CustodyEntry
		state     ExhibitState
		custodian string
		place     string
		code      string // of the refusal
	}
	tests := []struct {
		name  string
		from  ExhibitState
		steps []step
	}{
		{"StoreLabReturn", ExhibitHeld, []step{
			{CustodyEntry{Action: CustodyReceived, Location: "store"}, ExhibitInStore, "property store", "store", ""},
			{CustodyEntry{Action: CustodyReceived, Location: "store"}, ExhibitInStore, "property store", "store", "already_in_store"},
			{CustodyEntry{Action: CustodyMoved, Location: "shelf 2"}, ExhibitInStore, "property store", "shelf 2", ""},
			{CustodyEntry{Action: CustodyHandedOver, Recipient: "lab"}, ExhibitHandedOver, "lab", "shelf 2", ""},
			{CustodyEntry{Action: CustodyExamined, Notes: "swabbed"}, ExhibitHandedOver, "lab", "shelf 2", ""},
			{CustodyEntry{Action: CustodyReturned, Recipient: "owner", Location: "counter"}, ExhibitReturned, "owner", "counter", ""},
			{CustodyEntry{Action: CustodyMoved, Location: "x"}, ExhibitReturned, "owner", "counter", "custody_ended"},
		}},
		{"Destroyed", ExhibitHeld, []step{
			{CustodyEntry{Action: CustodyDestroyed, Notes: "court order"}, ExhibitDestroyed, "", "bag", ""},
			{CustodyEntry{Action: CustodyReceived, Location: "store"}, ExhibitDestroyed, "", "bag", "custody_ended"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, custodian, place := tc.from, "1041 Gabriel Oak", "bag"
			for _, st := range tc.steps {
				if err := st.c.Validate(); err != nil {
					t.Fatalf("%s: %v", st.c.Action, err)
				}
				var err error
				ns, nc, np, err := st.c.Apply(s, custodian, place)
				if st.code != "" {
					if e, ok := errors.AsType[*Error](err); !ok || e.Kind != KindConflict || e.Code != st.code {
						t.Fatalf("%s from %s: %v, want %s", st.c.Action, s, err, st.code)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", st.c.Action, s, err)
				}
				s, custodian, place = ns, nc, np
				if s != st.state || custodian != st.custodian || place != st.place {
					t.Fatalf("after %s: %s, %q, %q; want %s, %q, %q", st.c.Action, s, custodian, place, st.state, st.custodian, st.place)
				}
			}
		})
	}
}
