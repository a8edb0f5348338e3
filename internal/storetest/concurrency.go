package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

// together runs each fn on its own goroutine, releasing them all at once so
// the store's writer sees them together, and waits for them.
func together(fns ...func()) {
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for _, fn := range fns {
		wg.Go(func() {
			<-ready
			fn()
		})
	}
	close(ready)
	wg.Wait()
}

// typesOf returns the types of events, in order.
func typesOf(events []*bluelamp.Event) []bluelamp.EventType {
	var types []bluelamp.EventType
	for _, e := range events {
		types = append(types, e.Type)
	}
	return types
}

func testGroupCommit(t *testing.T, open Opener) {
	t.Run("OKConcurrentAppends", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		before := f.head("alpha")
		const n = 50
		events := make([]*bluelamp.Event, n)
		errs := make([]error, n)
		fns := make([]func(), n)
		ctx := f.system("alpha")
		for i := range n {
			fns[i] = func() {
				events[i], errs[i] = f.Store.AppendEvent(ctx, bluelamp.EventLogNote, fmt.Sprintf("incident/%d", i),
					bluelamp.ClassOfficial, map[string]int{"i": i})
			}
		}
		together(fns...)
		var seqs []int64
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("append %d: %v", i, errs[i])
			}
			seqs = append(seqs, events[i].Seq)
		}
		slices.Sort(seqs)
		for i, s := range seqs {
			if want := before.Seq + int64(i) + 1; s != want {
				t.Fatalf("sorted seqs = %v, want %d..%d", seqs, before.Seq+1, before.Seq+n)
			}
		}
		stored := f.wantEvents("alpha", before, slices.Repeat([]bluelamp.EventType{bluelamp.EventLogNote}, n)...)
		for _, e := range events {
			if diff := cmp.Diff(e, stored[e.Seq-before.Seq-1]); diff != "" {
				t.Errorf("event %d (-returned +stored):\n%s", e.Seq, diff)
			}
		}
		f.wantVerified()
	})
	t.Run("OKFailuresIsolated", func(t *testing.T) {
		// Requests that fail alongside others in a batch take nothing with
		// them and leave nothing behind.
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		const n = 50
		var mu sync.Mutex
		results := map[string][]error{} // by kind of request; guarded by mu
		record := func(kind string, err error) {
			mu.Lock()
			defer mu.Unlock()
			results[kind] = append(results[kind], err)
		}
		var fns []func()
		sys, admin := f.system(a.id), f.as(a.admin)
		for i := range n {
			fns = append(fns, func() {
				_, err := f.Store.AppendEvent(sys, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]int{"i": i})
				record("append", err)
			})
			if i%5 == 0 {
				fns = append(fns, func() {
					record("create user", f.Store.CreateUser(admin, &bluelamp.User{Username: "dup", DisplayName: "Dup"}, ""))
				}, func() {
					record("disable missing user", f.Store.DisableUser(admin, a.user.ID+1000))
				}, func() {
					_, err := f.Store.FindUserByID(admin, a.user.ID+1000, consult)
					record("find missing user", err)
				})
			}
		}
		together(fns...)
		for _, err := range results["append"] {
			ok(t, err)
		}
		var created int
		for _, err := range results["create user"] {
			if err == nil {
				created++
			} else if bluelamp.KindOf(err) != bluelamp.KindConflict {
				t.Errorf("duplicate CreateUser: got %v, want KindConflict", err)
			}
		}
		if created != 1 {
			t.Errorf("%d of %d concurrent CreateUser calls with one username succeeded, want 1", created, len(results["create user"]))
		}
		for _, kind := range []string{"disable missing user", "find missing user"} {
			for _, err := range results[kind] {
				if bluelamp.KindOf(err) != bluelamp.KindNotFound {
					t.Errorf("%s: got %v, want KindNotFound", kind, err)
				}
			}
		}
		events := f.eventsAfter(a.id, before.Seq)
		f.wantEvents(a.id, before, typesOf(events)...)
		want := append(slices.Repeat([]bluelamp.EventType{bluelamp.EventLogNote}, n), bluelamp.EventUserCreated)
		got := typesOf(events)
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("event types (-want +got):\n%s", diff)
		}
		audit := f.auditAfter(a.id, mark)
		if len(audit) != 1 || audit[0].Action != bluelamp.AuditCollection {
			t.Errorf("audit records after the batch: %s; want one collection", describeAudit(audit))
		}
		f.wantVerified()
	})
	t.Run("OKLateFailuresIsolated", func(t *testing.T) {
		// Requests that fail after appending their event (their audit
		// record cannot be written) give back their seq to the others.
		f := setup(t, open)
		a := f.populate("alpha")
		f.blockAudit(a.id)
		before := f.head(a.id)
		const n = 30
		errs := make([]error, 2*n)
		var fns []func()
		sys := f.system(a.id)
		for i := range n {
			fns = append(fns, func() {
				_, errs[i] = f.Store.AppendEvent(sys, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]int{"i": i})
			}, func() {
				errs[n+i] = f.Store.CreateOfficer(sys, &bluelamp.Officer{CollarNumber: fmt.Sprintf("L%d", i), Name: "Late", Rank: "PC", StationID: a.station.ID})
			})
		}
		together(fns...)
		for i, err := range errs {
			if i < n && err != nil {
				t.Errorf("append %d: %v", i, err)
			}
			if i >= n && err == nil {
				t.Errorf("CreateOfficer %d succeeded though its audit record could not be written", i-n)
			}
		}
		f.wantEvents(a.id, before, slices.Repeat([]bluelamp.EventType{bluelamp.EventLogNote}, n)...)
	})
	t.Run("OKManyForces", func(t *testing.T) {
		f := setup(t, open)
		forces := []bluelamp.ForceID{"alpha", "bravo", "charlie"}
		heads := map[bluelamp.ForceID]bluelamp.Head{}
		var fns []func()
		errs := make(chan error, 20*len(forces))
		for _, id := range forces {
			f.mustCreateForce(id)
			heads[id] = f.head(id)
			ctx := f.system(id)
			for range 20 {
				fns = append(fns, func() {
					_, err := f.Store.AppendEvent(ctx, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]string{"force": string(id)})
					errs <- err
				})
			}
		}
		together(fns...)
		close(errs)
		for err := range errs {
			ok(t, err)
		}
		for _, id := range forces {
			for _, e := range f.wantEvents(id, heads[id], slices.Repeat([]bluelamp.EventType{bluelamp.EventLogNote}, 20)...) {
				if p := payloadOf(t, e); p["force"] != string(id) {
					t.Errorf("event %d of %s has payload %s", e.Seq, id, e.Payload)
				}
			}
		}
		f.wantVerified()
	})
}

// blockEvent inserts a row behind the store's back where force's next event
// must go, so the next change that appends an event fails on it.
func (f *fixture) blockEvent(force bluelamp.ForceID) (unblock func()) {
	f.t.Helper()
	seq := f.head(force).Seq + 1
	f.exec(`INSERT INTO events (force_id, seq, id, at, actor_kind, actor_id, actor, type, subject, classification, payload, prev_hash, hash)
		VALUES (?, ?, 'blocker', 0, 'system', 0, 'storetest', 'log.note', '', 'OFFICIAL', '{}', NULL, ?)`, force, seq, []byte{0})
	return func() { f.exec("DELETE FROM events WHERE force_id = ? AND seq = ?", force, seq) }
}

// blockAudit does for the audit trail what blockEvent does for the log.
func (f *fixture) blockAudit(force bluelamp.ForceID) (unblock func()) {
	f.t.Helper()
	seq := f.auditMark(force) + 1
	f.exec(`INSERT INTO audit_records (force_id, seq, at, action, actor_kind, actor_id, actor, actor_roles, session_id, what,
		records, subjects, reason, justification, incident_ref, recipient, agreement_id, prev_hash, hash)
		VALUES (?, ?, 0, 'consultation', 'system', 0, 'storetest', '', '', 'blocker', '[]', '[]', '', '', '', '', '', NULL, ?)`, force, seq, []byte{0})
	return func() { f.exec("DELETE FROM audit_records WHERE force_id = ? AND seq = ?", force, seq) }
}

func testAtomic(t *testing.T, open Opener) {
	t.Run("OKFailedChangeLeavesNoTrace", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		err := f.Store.CreateUser(f.as(a.admin), &bluelamp.User{Username: a.user.Username, DisplayName: "Dup"}, "")
		wantKind(t, err, bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("OKEventFailureUndoesChange", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		unblock := f.blockEvent(a.id)
		u := &bluelamp.User{Username: "ann", DisplayName: "Ann"}
		if err := f.Store.CreateUser(f.as(a.admin), u, ""); err == nil {
			t.Fatal("CreateUser succeeded though its event could not be appended")
		}
		unblock()
		users, _, err := f.Store.FindUsers(f.as(a.admin), bluelamp.UserFilter{Username: new("ann")}, consult)
		ok(t, err)
		if len(users) != 0 {
			t.Fatalf("the user was saved without its event: %+v", users[0])
		}
		before := f.head(a.id)
		ok(t, f.Store.CreateUser(f.as(a.admin), &bluelamp.User{Username: "ann", DisplayName: "Ann"}, ""))
		f.wantEvents(a.id, before, bluelamp.EventUserCreated)
		f.wantVerified()
	})
	t.Run("OKAuditFailureUndoesChange", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		unblock := f.blockAudit(a.id)
		o := &bluelamp.Officer{CollarNumber: "77", Name: "Jo Bloggs", Rank: "PC", StationID: a.station.ID}
		if err := f.Store.CreateOfficer(f.as(a.admin), o); err == nil {
			t.Fatal("CreateOfficer succeeded though its audit record could not be written")
		}
		f.wantNoEvents(a.id, before)
		unblock()
		officers, err := f.Store.FindOfficers(f.as(a.admin), consult)
		ok(t, err)
		if len(officers) != 1 {
			t.Fatalf("the officer was saved without its audit record: %+v", officers)
		}
		f.wantVerified()
	})
}
