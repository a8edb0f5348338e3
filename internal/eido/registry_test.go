package eido

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// registries reads the registry tables extracted from NENA-STA-021.1b.
func registries(t *testing.T) map[string][]string {
	t.Helper()
	dir, err := sharedEIDO()
	if err != nil {
		t.Skip(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "registries-extracted-from-STA-021.1b-docx.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][]struct{ Value string }
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for name, entries := range raw {
		for _, e := range entries {
			out[name] = append(out[name], e.Value)
		}
	}
	return out
}

// TestRegistryValues checks every registry value bluelamp writes or maps
// from is in the standard's registry, and every national code has a
// mapping.
func TestRegistryValues(t *testing.T) {
	t.Parallel()
	reg := registries(t)
	in := func(registry string, values ...string) {
		t.Helper()
		if len(reg[registry]) == 0 {
			t.Fatalf("no registry %q", registry)
		}
		for _, v := range values {
			if !slices.Contains(reg[registry], v) {
				t.Errorf("%q is not in the %s", v, registry)
			}
		}
	}
	for _, c := range bluelamp.Categories {
		typ, ok := incidentTypes[c.Code]
		if !ok {
			t.Errorf("category %s has no EIDO incident type", c.Code)
		}
		in("Incident Type – Common Registry", typ)
	}
	for typ, c := range categories {
		in("Incident Type – Common Registry", typ)
		if !c.Valid() {
			t.Errorf("incident type %s maps to unknown category %s", typ, c)
		}
	}
	in("Incident Status – Common Registry", statusActive, statusCancelled, statusClosed, statusResourcesAssigned, statusResourcesEnroute, statusResourcesOnscene)
	for _, r := range bluelamp.Results {
		code, ok := dispositions[r.Code]
		if !ok {
			t.Errorf("result %s has no disposition", r.Code)
		}
		in("Common Disposition Codes Registry", code)
	}
	for code, r := range results {
		in("Common Disposition Codes Registry", code)
		if !r.Valid() {
			t.Errorf("disposition %s maps to unknown result %s", code, r)
		}
	}
	check := func(s unitStatus) {
		t.Helper()
		in("Primary Unit Status-Common Registry", s.Primary)
		in("Secondary Unit Status-Common Registry", s.Secondary...)
	}
	for _, st := range bluelamp.UnitStates {
		s, ok := unitStatuses[st]
		if !ok {
			t.Errorf("unit state %s has no unit status", st)
		}
		check(s)
	}
	for _, a := range []bluelamp.AssignmentState{bluelamp.AssignmentAssigned, bluelamp.AssignmentEnRoute, bluelamp.AssignmentAtScene,
		bluelamp.AssignmentCleared, bluelamp.AssignmentStoodDown, bluelamp.AssignmentDiverted} {
		s, _ := assignmentStatus(a)
		check(s)
	}
	in("Emergency Resource Type-Common Registry", resourceType)
	in("Agency Role Registry", roleCallReceiving, roleDispatching)
	in("Location Type Registry", locationPreference...)
	in("Report Number Type Registry", reportNew)
}

// TestPriorities checks each grade's common priority reads back as it.
func TestPriorities(t *testing.T) {
	t.Parallel()
	for _, g := range bluelamp.Grades {
		p, ok := priorities[g]
		if got, _ := gradeForPriority(strconv.Itoa(p)); !ok || got != g {
			t.Errorf("grade %s → priority %d → %s", g, p, got)
		}
	}
}
