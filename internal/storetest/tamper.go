package storetest

import (
	"encoding/json"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// Tamper tests change a force's chains directly in the database, as an
// insider with write access to it would, and check that VerifyChains names
// exactly the kind and position of the change.

// chainLen is how many entries each tampered chain holds.
const chainLen = 6

// tamperChain is how to tamper with one kind of chain.
type tamperChain struct {
	chain bluelamp.Chain
	table string
	alter string // SQL changing the content of the entry at (force_id, seq)
	// forge inserts an entry at seq, sealed onto prev as the store would.
	forge func(f *fixture, force bluelamp.ForceID, seq int64, prev bluelamp.Hash)
	// reseal changes the content of the entry at seq and recomputes its hash.
	reseal func(f *fixture, c *chains, seq int64)
}

// chains are the entries of force alpha's chains as built, by seq. The last
// audit record (the consultation that read the others) is not among them.
type chains struct {
	events map[int64]*bluelamp.Event
	audit  map[int64]*bluelamp.AuditRecord
}

var tamperChains = []tamperChain{
	{
		chain: bluelamp.ChainEvents,
		table: "events",
		alter: `UPDATE events SET payload = '{"text":"forged"}' WHERE force_id = ? AND seq = ?`,
		forge: func(f *fixture, force bluelamp.ForceID, seq int64, prev bluelamp.Hash) {
			e := &bluelamp.Event{ForceID: force, Seq: seq, ID: bluelamp.NewEventID(f.clock.Now()), Time: f.clock.Now(),
				ActorKind: bluelamp.ActorSystem, Actor: "forger", Type: bluelamp.EventLogNote, Subject: "incident/1",
				Classification: bluelamp.ClassOfficial, Payload: json.RawMessage(`{"text":"forged"}`)}
			e.Seal(prev)
			f.exec(`INSERT INTO events (force_id, seq, id, at, actor_kind, actor_id, actor, type, subject, classification, payload, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ForceID, e.Seq, e.ID, e.Time.UnixMicro(), e.ActorKind, e.ActorID, e.Actor,
				e.Type, e.Subject, e.Classification, string(e.Payload), []byte(e.PrevHash), []byte(e.Hash))
		},
		reseal: func(f *fixture, c *chains, seq int64) {
			e := *c.events[seq]
			e.Payload = json.RawMessage(`{"text":"rewritten"}`)
			e.Seal(e.PrevHash)
			f.exec("UPDATE events SET payload = ?, hash = ? WHERE force_id = ? AND seq = ?", string(e.Payload), []byte(e.Hash), e.ForceID, seq)
		},
	},
	{
		chain: bluelamp.ChainAudit,
		table: "audit_records",
		alter: "UPDATE audit_records SET justification = 'forged' WHERE force_id = ? AND seq = ?",
		forge: func(f *fixture, force bluelamp.ForceID, seq int64, prev bluelamp.Hash) {
			r := &bluelamp.AuditRecord{ForceID: force, Seq: seq, Time: f.clock.Now(), Action: bluelamp.AuditConsultation,
				ActorKind: bluelamp.ActorSystem, Actor: "forger", What: "officer.list",
				Justification: bluelamp.Justification{Reason: "ADMIN", Text: "forged"}}
			r.Seal(prev)
			f.exec(`INSERT INTO audit_records (force_id, seq, at, action, actor_kind, actor_id, actor, actor_roles, session_id, what,
				records, subjects, reason, justification, incident_ref, recipient, agreement_id, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, '', '', ?, '[]', '[]', ?, ?, '', '', '', ?, ?)`, r.ForceID, r.Seq, r.Time.UnixMicro(), r.Action,
				r.ActorKind, r.ActorID, r.Actor, r.What, r.Justification.Reason, r.Justification.Text, []byte(r.PrevHash), []byte(r.Hash))
		},
		reseal: func(f *fixture, c *chains, seq int64) {
			r := *c.audit[seq]
			r.Justification.Text = "rewritten"
			r.Seal(r.PrevHash)
			f.exec("UPDATE audit_records SET justification = ?, hash = ? WHERE force_id = ? AND seq = ?", r.Justification.Text, []byte(r.Hash), r.ForceID, seq)
		},
	},
}

// buildChains gives alpha chainLen events and chainLen audit records, and
// bravo a few of each, and returns what alpha's chains hold.
func (f *fixture) buildChains() *chains {
	f.t.Helper()
	f.mustCreateForce("alpha")
	f.mustCreateForce("bravo")
	for _, force := range []bluelamp.ForceID{"alpha", "bravo"} {
		sys := f.system(force)
		for range chainLen - 1 {
			f.note(sys, "entry of "+string(force))
			_, err := f.Store.FindOfficers(sys, consult)
			ok(f.t, err)
		}
	}
	c := &chains{events: map[int64]*bluelamp.Event{}, audit: map[int64]*bluelamp.AuditRecord{}}
	for _, e := range f.eventsAfter("alpha", 0) {
		c.events[e.Seq] = e
	}
	records, _, err := f.Store.FindAuditRecords(f.system("alpha"), bluelamp.AuditFilter{}, auditing)
	ok(f.t, err)
	for _, r := range records {
		c.audit[r.Seq] = r
	}
	if len(c.events) != chainLen || len(c.audit) != chainLen-1 {
		f.t.Fatalf("built %d events and %d audit records, want %d and %d", len(c.events), len(c.audit), chainLen, chainLen-1)
	}
	return c
}

// hashAt reads the stored hash of the entry at seq behind the store's back.
func (f *fixture) hashAt(table string, force bluelamp.ForceID, seq int64) bluelamp.Hash {
	f.t.Helper()
	var h []byte
	if err := f.DB.QueryRowContext(f.t.Context(), f.rebind("SELECT hash FROM "+table+" WHERE force_id = ? AND seq = ?"), force, seq).Scan(&h); err != nil {
		f.t.Fatalf("read hash of %s %d: %v", table, seq, err)
	}
	return h
}

// renumber adds by to the seq of every entry of force at or after from, in
// two steps so no step collides with the primary key.
func (f *fixture) renumber(table string, force bluelamp.ForceID, from, by int64) {
	f.exec("UPDATE "+table+" SET seq = -(seq + ?) WHERE force_id = ? AND seq >= ?", by, force, from)
	f.exec("UPDATE "+table+" SET seq = -seq WHERE force_id = ? AND seq < 0", force)
}

func testTamper(t *testing.T, open Opener) {
	const k = 3 // the entry tampered with in the middle of the chain
	cases := []struct {
		name   string
		tamper func(f *fixture, tc tamperChain, c *chains)
		kind   bluelamp.ProblemKind
		seq    int64
	}{
		{"AlteredContent", func(f *fixture, tc tamperChain, c *chains) {
			f.exec(tc.alter, "alpha", k)
		}, bluelamp.ProblemAltered, k},
		{"AlteredHash", func(f *fixture, tc tamperChain, c *chains) {
			f.exec("UPDATE "+tc.table+" SET hash = ? WHERE force_id = ? AND seq = ?", make([]byte, 32), "alpha", k)
		}, bluelamp.ProblemAltered, k},
		{"AlteredRehashed", func(f *fixture, tc tamperChain, c *chains) {
			tc.reseal(f, c, k)
		}, bluelamp.ProblemAltered, k},
		{"DeletedFirst", func(f *fixture, tc tamperChain, c *chains) {
			f.exec("DELETE FROM "+tc.table+" WHERE force_id = ? AND seq = 1", "alpha")
		}, bluelamp.ProblemDeleted, 1},
		{"DeletedMiddle", func(f *fixture, tc tamperChain, c *chains) {
			f.exec("DELETE FROM "+tc.table+" WHERE force_id = ? AND seq = ?", "alpha", k)
		}, bluelamp.ProblemDeleted, k},
		{"DeletedLast", func(f *fixture, tc tamperChain, c *chains) {
			f.exec("DELETE FROM "+tc.table+" WHERE force_id = ? AND seq = ?", "alpha", chainLen)
		}, bluelamp.ProblemDeleted, chainLen},
		{"DeletedRenumbered", func(f *fixture, tc tamperChain, c *chains) {
			f.exec("DELETE FROM "+tc.table+" WHERE force_id = ? AND seq = ?", "alpha", k)
			f.renumber(tc.table, "alpha", k+1, -1)
		}, bluelamp.ProblemDeleted, k},
		{"InsertedAtEnd", func(f *fixture, tc tamperChain, c *chains) {
			tc.forge(f, "alpha", chainLen+1, f.hashAt(tc.table, "alpha", chainLen))
		}, bluelamp.ProblemInserted, chainLen + 1},
		{"InsertedRenumbered", func(f *fixture, tc tamperChain, c *chains) {
			prev := f.hashAt(tc.table, "alpha", k-1)
			f.renumber(tc.table, "alpha", k, 1)
			tc.forge(f, "alpha", k, prev)
		}, bluelamp.ProblemInserted, k},
		{"Swapped", func(f *fixture, tc tamperChain, c *chains) {
			f.exec("UPDATE "+tc.table+" SET seq = -1 WHERE force_id = ? AND seq = ?", "alpha", k)
			f.exec("UPDATE "+tc.table+" SET seq = ? WHERE force_id = ? AND seq = ?", k, "alpha", k+1)
			f.exec("UPDATE "+tc.table+" SET seq = ? WHERE force_id = ? AND seq = -1", k+1, "alpha")
		}, bluelamp.ProblemReordered, k},
	}
	for _, tc := range tamperChains {
		t.Run(string(tc.chain), func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					f := setup(t, open)
					built := f.buildChains()
					f.wantVerified()
					c.tamper(f, tc, built)
					reports, err := f.Store.VerifyChains(f.deployment())
					ok(t, err)
					if len(reports) != 4 {
						t.Fatalf("%d reports, want 4", len(reports))
					}
					for _, r := range reports {
						if r.ForceID != "alpha" || r.Chain != tc.chain {
							if !r.OK() {
								t.Errorf("untouched %s %s chain: %+v", r.ForceID, r.Chain, *r.Problem)
							}
							continue
						}
						if r.Problem == nil {
							t.Fatalf("%s chain verified after tampering", r.Chain)
						}
						if r.Problem.Kind != c.kind || r.Problem.Seq != c.seq {
							t.Errorf("problem = %s at %d (%s), want %s at %d", r.Problem.Kind, r.Problem.Seq, r.Problem.Detail, c.kind, c.seq)
						}
					}
				})
			}
		})
	}
}
