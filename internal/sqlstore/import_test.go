package sqlstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
)

func TestImportIncident(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			s := newTestStore(t, e.dsn(t), nil)
			ctx := t.Context()
			if err := s.CreateForce(bluelamp.SystemContext(ctx, "", "test"), &bluelamp.Force{ID: "wessex", Name: "Wessex"}); err != nil {
				t.Fatal(err)
			}
			fctx := bluelamp.SystemContext(ctx, "wessex", "eido")
			newInc := func() *bluelamp.Incident {
				return &bluelamp.Incident{Category: "RTC_INJURY", Grade: bluelamp.GradeImmediate, Summary: "handed over",
					Channel: bluelamp.ChannelPartner, Location: bluelamp.Location{Address: "A35 at Winterborne"}}
			}

			t.Run("OK", func(t *testing.T) {
				inc := newInc()
				if err := s.ImportIncident(fctx, inc, []string{"[EIDO] from ambulance", "second note"}); err != nil {
					t.Fatal(err)
				}
				log, err := s.FindIncidentLog(fctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				var kinds []string
				for _, l := range log {
					kinds = append(kinds, string(l.Kind))
				}
				if got, want := strings.Join(kinds, ","), "OPENED,IMPORTED,IMPORTED"; got != want {
					t.Fatalf("log kinds = %s, want %s", got, want)
				}
			})
			t.Run("NothingHalfWritten", func(t *testing.T) {
				before, err := s.FindHead(fctx)
				if err != nil {
					t.Fatal(err)
				}
				bad := []*struct {
					inc   *bluelamp.Incident
					notes []string
					field string
				}{
					{newInc(), []string{"ok", ""}, "notes"},
					{newInc(), []string{strings.Repeat("x", 4001)}, "notes"},
					{func() *bluelamp.Incident { i := newInc(); i.Category = "NOPE"; return i }(), []string{"ok"}, "category"},
				}
				for _, b := range bad {
					err := s.ImportIncident(fctx, b.inc, b.notes)
					if e, ok := errors.AsType[*bluelamp.Error](err); !ok || e.Fields[b.field] == "" {
						t.Errorf("ImportIncident = %v, want an error naming %s", err, b.field)
					}
				}
				after, err := s.FindHead(fctx)
				if err != nil {
					t.Fatal(err)
				}
				if after.Seq != before.Seq {
					t.Fatalf("refused imports wrote events: head %d → %d", before.Seq, after.Seq)
				}
			})
		})
	}
}
