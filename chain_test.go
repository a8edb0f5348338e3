package bluelamp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// chainLen is how many entries each test chain starts with.
const chainLen = 6

// newChain returns a sealed chain of chainLen events and the head recorded
// for it.
func newChain() ([]*bluelamp.Event, bluelamp.Head) {
	var events []*bluelamp.Event
	var prev bluelamp.Hash
	at := time.Date(2030, time.March, 4, 9, 30, 0, 0, time.UTC)
	for seq := int64(1); seq <= chainLen; seq++ {
		e := newEvent(seq, at.Add(time.Duration(seq)*time.Second), fmt.Sprintf("entry %d", seq))
		e.Seal(prev)
		prev = e.Hash
		events = append(events, e)
	}
	return events, bluelamp.Head{ForceID: "alpha", Seq: chainLen, Hash: prev}
}

func newEvent(seq int64, at time.Time, text string) *bluelamp.Event {
	payload, _ := json.Marshal(map[string]string{"text": text})
	return &bluelamp.Event{ForceID: "alpha", Seq: seq, ID: bluelamp.NewEventID(at), Time: at, ActorKind: bluelamp.ActorSystem,
		Actor: "test", Type: bluelamp.EventLogNote, Subject: "incident/1", Classification: bluelamp.ClassOfficial, Payload: payload}
}

// at returns the event with seq in events (1-based, as stored).
func at(events []*bluelamp.Event, seq int64) *bluelamp.Event { return events[seq-1] }

// alter changes the content of the entry at seq without resealing it.
func alter(events []*bluelamp.Event, seq int64) []*bluelamp.Event {
	at(events, seq).Payload = json.RawMessage(`{"text":"forged"}`)
	return events
}

// remove deletes the entry at seq, renumbering the rest down when asked.
func remove(events []*bluelamp.Event, seq int64, renumber bool) []*bluelamp.Event {
	events = slices.Delete(events, int(seq-1), int(seq))
	if renumber {
		for _, e := range events[seq-1:] {
			e.Seq--
		}
	}
	return events
}

// insert puts a forged entry at seq, renumbering the rest up, sealed onto
// its predecessor as the store would seal it when sealed is true and with a
// made-up hash otherwise.
func insert(events []*bluelamp.Event, seq int64, sealed bool) []*bluelamp.Event {
	for _, e := range events[seq-1:] {
		e.Seq++
	}
	forged := newEvent(seq, time.Date(2030, time.March, 4, 10, 0, 0, 0, time.UTC), "forged")
	var prev bluelamp.Hash
	if seq > 1 {
		prev = at(events, seq-1).Hash
	}
	forged.Seal(prev)
	if !sealed {
		forged.Hash = bluelamp.ChainHash(nil, []byte("made up"))
	}
	return slices.Insert(events, int(seq-1), forged)
}

// swap exchanges the seqs (and so the stored order) of the entries at i and j.
func swap(events []*bluelamp.Event, i, j int64) []*bluelamp.Event {
	at(events, i).Seq, at(events, j).Seq = j, i
	events[i-1], events[j-1] = events[j-1], events[i-1]
	return events
}

// verify runs ChainVerify over events as a store would stream them.
func verify(head bluelamp.Head, events []*bluelamp.Event) (int64, *bluelamp.ChainProblem, error) {
	i := 0
	return bluelamp.ChainVerify(head, func() (*bluelamp.ChainLink, error) {
		if i == len(events) {
			return nil, nil
		}
		i++
		return bluelamp.EventLink(events[i-1]), nil
	})
}

func TestChainVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(events []*bluelamp.Event, head *bluelamp.Head) []*bluelamp.Event
		kind   bluelamp.ProblemKind // "" means the chain verifies
		seq    int64
		count  int64 // entries verified before the problem, or in all
	}{
		{name: "OK", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return e }, count: chainLen},
		{name: "OKEmpty", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			*h = bluelamp.Head{ForceID: "alpha"}
			return nil
		}},
		{name: "AlteredFirst", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return alter(e, 1) },
			kind: bluelamp.ProblemAltered, seq: 1},
		{name: "AlteredMiddle", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return alter(e, 3) },
			kind: bluelamp.ProblemAltered, seq: 3, count: 2},
		{name: "AlteredLast", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return alter(e, chainLen) },
			kind: bluelamp.ProblemAltered, seq: chainLen, count: chainLen - 1},
		{name: "AlteredPrevHash", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			at(e, 3).PrevHash = bluelamp.ChainHash(nil, []byte("other"))
			return e
		}, kind: bluelamp.ProblemAltered, seq: 3, count: 2},
		{name: "AlteredRehashedFirst", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			alter(e, 1)[0].Seal(nil)
			return e
		}, kind: bluelamp.ProblemAltered, seq: 1, count: 1},
		{name: "AlteredRehashedMiddle", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			alter(e, 3)[2].Seal(at(e, 2).Hash)
			return e
		}, kind: bluelamp.ProblemAltered, seq: 3, count: 3},
		{name: "AlteredRehashedLast", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			alter(e, chainLen)[chainLen-1].Seal(at(e, chainLen-1).Hash)
			return e
		}, kind: bluelamp.ProblemAltered, seq: chainLen, count: chainLen},
		{name: "DeletedFirst", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return remove(e, 1, false) },
			kind: bluelamp.ProblemDeleted, seq: 1},
		{name: "DeletedMiddle", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return remove(e, 3, false) },
			kind: bluelamp.ProblemDeleted, seq: 3, count: 2},
		{name: "DeletedLast", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return remove(e, chainLen, false) },
			kind: bluelamp.ProblemDeleted, seq: chainLen, count: chainLen - 1},
		{name: "DeletedAll", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return nil },
			kind: bluelamp.ProblemDeleted, seq: 1},
		{name: "DeletedRenumberedFirst", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return remove(e, 1, true) },
			kind: bluelamp.ProblemDeleted, seq: 1},
		{name: "DeletedRenumberedMiddle", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return remove(e, 3, true) },
			kind: bluelamp.ProblemDeleted, seq: 3, count: 2},
		{name: "DeletedRenumberedPenultimate", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			return remove(e, chainLen-1, true)
		}, kind: bluelamp.ProblemDeleted, seq: chainLen - 1, count: chainLen - 2},
		{name: "DeletedTwoRenumbered", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			e = remove(e, 3, true)
			return remove(e, 3, true)
		}, kind: bluelamp.ProblemDeleted, seq: 3, count: 2},
		{name: "InsertedAtEnd", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			return insert(e, chainLen+1, true)
		}, kind: bluelamp.ProblemInserted, seq: chainLen + 1, count: chainLen + 1},
		{name: "InsertedAtEndUnsealed", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			return insert(e, chainLen+1, false)
		}, kind: bluelamp.ProblemInserted, seq: chainLen + 1, count: chainLen},
		{name: "InsertedRenumberedFirst", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return insert(e, 1, true) },
			kind: bluelamp.ProblemInserted, seq: 1, count: 1},
		{name: "InsertedRenumberedMiddle", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return insert(e, 3, true) },
			kind: bluelamp.ProblemInserted, seq: 3, count: 3},
		{name: "InsertedRenumberedUnsealed", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			return insert(e, 3, false)
		}, kind: bluelamp.ProblemInserted, seq: 3, count: 2},
		{name: "InsertedRenumberedBadLink", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			e = insert(e, 3, true)
			at(e, 3).Seal(bluelamp.ChainHash(nil, []byte("not the predecessor")))
			return e
		}, kind: bluelamp.ProblemInserted, seq: 3, count: 2},
		{name: "SwappedFirst", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return swap(e, 1, 2) },
			kind: bluelamp.ProblemReordered, seq: 1},
		{name: "SwappedMiddle", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return swap(e, 3, 4) },
			kind: bluelamp.ProblemReordered, seq: 3, count: 2},
		{name: "SwappedLast", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return swap(e, chainLen-1, chainLen) },
			kind: bluelamp.ProblemReordered, seq: chainLen - 1, count: chainLen - 2},
		{name: "SwappedApart", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event { return swap(e, 2, 5) },
			kind: bluelamp.ProblemReordered, seq: 2, count: 1},
		{name: "HeadBehind", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			h.Seq, h.Hash = chainLen-1, at(e, chainLen-1).Hash
			return e
		}, kind: bluelamp.ProblemInserted, seq: chainLen, count: chainLen},
		{name: "HeadHashDiffers", tamper: func(e []*bluelamp.Event, h *bluelamp.Head) []*bluelamp.Event {
			h.Hash = bluelamp.ChainHash(nil, []byte("other"))
			return e
		}, kind: bluelamp.ProblemAltered, seq: chainLen, count: chainLen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, head := newChain()
			events = tc.tamper(events, &head)
			count, problem, err := verify(head, events)
			if err != nil {
				t.Fatal(err)
			}
			if tc.kind == "" {
				if problem != nil {
					t.Fatalf("problem = %+v, want none", *problem)
				}
			} else if problem == nil {
				t.Fatalf("no problem found, want %s at %d", tc.kind, tc.seq)
			} else if problem.Kind != tc.kind || problem.Seq != tc.seq {
				t.Fatalf("problem = %s at %d (%s), want %s at %d", problem.Kind, problem.Seq, problem.Detail, tc.kind, tc.seq)
			}
			if count != tc.count {
				t.Errorf("count = %d, want %d", count, tc.count)
			}
		})
	}
}

func TestChainVerifyAudit(t *testing.T) {
	var records []*bluelamp.AuditRecord
	var prev bluelamp.Hash
	for seq := int64(1); seq <= chainLen; seq++ {
		r := &bluelamp.AuditRecord{ForceID: "alpha", Seq: seq, Time: time.Date(2030, time.March, 4, 9, 30, int(seq), 0, time.UTC),
			Action: bluelamp.AuditConsultation, ActorKind: bluelamp.ActorUser, ActorID: 7, Actor: "alpha.admin",
			ActorRoles: []bluelamp.Role{bluelamp.RoleAuditor}, What: "user.view", Records: []string{"user/2"}, Subjects: []string{"user/2"},
			Justification: bluelamp.Justification{Reason: "INVESTIGATION", IncidentRef: "INC-1"}}
		r.Seal(prev)
		prev = r.Hash
		records = append(records, r)
	}
	head := bluelamp.Head{ForceID: "alpha", Seq: chainLen, Hash: prev}
	run := func() (*bluelamp.ChainProblem, error) {
		i := 0
		_, p, err := bluelamp.ChainVerify(head, func() (*bluelamp.ChainLink, error) {
			if i == len(records) {
				return nil, nil
			}
			i++
			return bluelamp.AuditLink(records[i-1]), nil
		})
		return p, err
	}
	t.Run("OK", func(t *testing.T) {
		if p, err := run(); p != nil || err != nil {
			t.Fatalf("got %+v, %v; want no problem", p, err)
		}
	})
	t.Run("AlteredSubjects", func(t *testing.T) {
		records[2].Subjects = []string{"user/3"}
		defer func() { records[2].Subjects = []string{"user/2"} }()
		p, err := run()
		if err != nil || p == nil || p.Kind != bluelamp.ProblemAltered || p.Seq != 3 {
			t.Fatalf("got %+v, %v; want altered at 3", p, err)
		}
	})
	t.Run("Swapped", func(t *testing.T) {
		records[1], records[2] = records[2], records[1]
		records[1].Seq, records[2].Seq = 2, 3
		p, err := run()
		if err != nil || p == nil || p.Kind != bluelamp.ProblemReordered || p.Seq != 2 {
			t.Fatalf("got %+v, %v; want reordered at 2", p, err)
		}
	})
}

func TestChainVerifyReadError(t *testing.T) {
	events, head := newChain()
	broken := errors.New("disk on fire")
	i := 0
	_, problem, err := bluelamp.ChainVerify(head, func() (*bluelamp.ChainLink, error) {
		if i == 3 {
			return nil, broken
		}
		i++
		return bluelamp.EventLink(events[i-1]), nil
	})
	if !errors.Is(err, broken) || problem != nil {
		t.Fatalf("got %+v, %v; want the read error", problem, err)
	}
}
