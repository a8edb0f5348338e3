package bluelamp

import (
	"bytes"
	"fmt"
)

// Chain names a hash chain of a force.
type Chain string

const (
	ChainEvents Chain = "events"
	ChainAudit  Chain = "audit"
)

// ProblemKind says how a chain was tampered with.
type ProblemKind string

const (
	ProblemAltered   ProblemKind = "altered"
	ProblemDeleted   ProblemKind = "deleted"
	ProblemInserted  ProblemKind = "inserted"
	ProblemReordered ProblemKind = "reordered"
)

// ChainProblem is the first fault found in a chain.
type ChainProblem struct {
	Seq    int64       `json:"seq"`
	Kind   ProblemKind `json:"kind"`
	Detail string      `json:"detail"`
}

// ChainReport is the result of checking one chain of one force.
type ChainReport struct {
	ForceID ForceID       `json:"force"`
	Chain   Chain         `json:"chain"`
	Count   int64         `json:"count"`
	Head    Hash          `json:"head"`
	Problem *ChainProblem `json:"problem,omitempty"`
}

// OK reports whether the chain verified.
func (r ChainReport) OK() bool { return r.Problem == nil }

// ChainLink is one stored entry as the verifier sees it. Rehash recomputes
// the entry's hash from its stored content and prev hash, as if it had
// sequence seq: that tells an altered entry from a renumbered one.
type ChainLink struct {
	Seq    int64
	Prev   Hash
	Hash   Hash
	Rehash func(seq int64) Hash
}

// EventLink returns the ChainLink of a stored event.
func EventLink(e *Event) *ChainLink {
	return &ChainLink{Seq: e.Seq, Prev: e.PrevHash, Hash: e.Hash, Rehash: func(seq int64) Hash {
		c := *e
		c.Seq = seq
		return ChainHash(e.PrevHash, c.Canonical())
	}}
}

// AuditLink returns the ChainLink of a stored audit record.
func AuditLink(r *AuditRecord) *ChainLink {
	return &ChainLink{Seq: r.Seq, Prev: r.PrevHash, Hash: r.Hash, Rehash: func(seq int64) Hash {
		c := *r
		c.Seq = seq
		return ChainHash(r.PrevHash, c.Canonical())
	}}
}

// ChainVerify walks a chain in stored sequence order, as next yields it (nil
// at the end), and checks it against the recorded head. It stops at the first
// problem and names it: a gap is a deletion; content that hashes correctly
// only under a neighbouring sequence number is a renumbering (an insertion or
// deletion with the rest shifted) or a swap (reordering); content that hashes
// under no sequence is an alteration; a correct entry whose link to its
// predecessor is broken means the predecessor was altered and re-hashed.
func ChainVerify(head Head, next func() (*ChainLink, error)) (count int64, problem *ChainProblem, err error) {
	var pending *ChainLink
	pull := func() (*ChainLink, error) {
		if pending != nil {
			l := pending
			pending = nil
			return l, nil
		}
		return next()
	}
	peek := func() (*ChainLink, error) {
		if pending == nil {
			l, err := next()
			if err != nil {
				return nil, err
			}
			pending = l
		}
		return pending, nil
	}

	var prev Hash
	expected := int64(1)
	for {
		l, err := pull()
		if err != nil {
			return count, nil, err
		}
		if l == nil {
			break
		}
		if l.Seq != expected {
			return count, &ChainProblem{Seq: expected, Kind: ProblemDeleted,
				Detail: fmt.Sprintf("entries %d to %d are missing: entry %d follows entry %d", expected, l.Seq-1, l.Seq, expected-1)}, nil
		}
		if !bytes.Equal(l.Rehash(l.Seq), l.Hash) {
			switch {
			case bytes.Equal(l.Rehash(l.Seq+1), l.Hash):
				n, err := peek()
				if err != nil {
					return count, nil, err
				}
				if n != nil && bytes.Equal(n.Rehash(n.Seq-1), n.Hash) {
					return count, &ChainProblem{Seq: l.Seq, Kind: ProblemReordered,
						Detail: fmt.Sprintf("entries %d and %d have been swapped", l.Seq, l.Seq+1)}, nil
				}
				return count, &ChainProblem{Seq: l.Seq, Kind: ProblemDeleted,
					Detail: fmt.Sprintf("the entry at %d was deleted and later entries renumbered down", l.Seq)}, nil
			case bytes.Equal(l.Rehash(l.Seq-1), l.Hash):
				return count, &ChainProblem{Seq: l.Seq - 1, Kind: ProblemInserted,
					Detail: fmt.Sprintf("an entry was inserted at %d and later entries renumbered up", l.Seq-1)}, nil
			default:
				return count, &ChainProblem{Seq: l.Seq, Kind: ProblemAltered,
					Detail: fmt.Sprintf("entry %d does not match its hash: its content was changed", l.Seq)}, nil
			}
		}
		if !bytes.Equal(l.Prev, prev) {
			return count, &ChainProblem{Seq: l.Seq - 1, Kind: ProblemAltered,
				Detail: fmt.Sprintf("entry %d does not link to entry %d: entry %d was altered or replaced and its hash recomputed", l.Seq, l.Seq-1, l.Seq-1)}, nil
		}
		prev = l.Hash
		expected++
		count++
	}
	switch {
	case head.Seq > count:
		return count, &ChainProblem{Seq: count + 1, Kind: ProblemDeleted,
			Detail: fmt.Sprintf("entries %d to %d are missing from the end: the head records %d", count+1, head.Seq, head.Seq)}, nil
	case head.Seq < count:
		return count, &ChainProblem{Seq: head.Seq + 1, Kind: ProblemInserted,
			Detail: fmt.Sprintf("entries %d to %d were added after the recorded head %d", head.Seq+1, count, head.Seq)}, nil
	case !bytes.Equal(head.Hash, prev):
		return count, &ChainProblem{Seq: count, Kind: ProblemAltered,
			Detail: fmt.Sprintf("the last entry %d does not match the hash the head records", count)}, nil
	}
	return count, nil, nil
}
