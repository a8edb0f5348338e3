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

// maxShift bounds how far ChainVerify looks for an entry's true sequence
// number when its content hashes correctly only under another one.
const maxShift = 64

// shift returns d when l's content hashes correctly under sequence l.Seq+d
// (d ≠ 0, |d| ≤ maxShift): the entry was moved by d.
func shift(l *ChainLink) (int64, bool) {
	for d := int64(1); d <= maxShift; d++ {
		if bytes.Equal(l.Rehash(l.Seq+d), l.Hash) {
			return d, true
		}
		if l.Seq-d >= 1 && bytes.Equal(l.Rehash(l.Seq-d), l.Hash) {
			return -d, true
		}
	}
	return 0, false
}

// shiftedBy reports whether l's content hashes under l.Seq+d.
func shiftedBy(l *ChainLink, d int64) bool {
	return l != nil && l.Seq+d >= 1 && bytes.Equal(l.Rehash(l.Seq+d), l.Hash)
}

// ChainVerify walks a chain in stored sequence order, as next yields it (nil
// at the end), and checks it against the recorded head. It stops at the first
// problem and names it:
//   - a gap in the sequence is a deletion;
//   - an entry past the recorded head that does not verify was inserted;
//   - content that hashes only under a later sequence, followed by entries
//     shifted the same way, means entries were deleted and the rest renumbered
//     down; otherwise the entry was moved (reordered);
//   - content that hashes only under an earlier sequence means entries were
//     inserted before it and the rest renumbered up;
//   - content that hashes under no sequence is an alteration, unless the next
//     entry is shifted up by one, when it is an inserted forgery;
//   - a correct entry whose link to its predecessor is broken was inserted if
//     the entries after it are shifted up by one, and otherwise means its
//     predecessor was altered and re-hashed.
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
	problemAt := func(seq int64, kind ProblemKind, format string, args ...any) (int64, *ChainProblem, error) {
		return count, &ChainProblem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)}, nil
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
			return problemAt(expected, ProblemDeleted, "entries %d to %d are missing: entry %d follows entry %d", expected, l.Seq-1, l.Seq, expected-1)
		}
		if !bytes.Equal(l.Rehash(l.Seq), l.Hash) {
			if l.Seq > head.Seq {
				return problemAt(l.Seq, ProblemInserted, "entry %d was added after the recorded head %d and does not match its hash", l.Seq, head.Seq)
			}
			n, err := peek()
			if err != nil {
				return count, nil, err
			}
			d, moved := shift(l)
			switch {
			case moved && d > 0 && (n == nil || shiftedBy(n, d)):
				return problemAt(l.Seq, ProblemDeleted, "%d entr%s deleted at %d and later entries renumbered down", d, plural(d, "y was", "ies were"), l.Seq)
			case moved && d > 0:
				return problemAt(l.Seq, ProblemReordered, "the entry stored at %d belongs at %d: entries were reordered", l.Seq, l.Seq+d)
			case moved:
				return problemAt(l.Seq+d, ProblemInserted, "%d entr%s inserted at %d and later entries renumbered up", -d, plural(-d, "y was", "ies were"), l.Seq+d)
			case shiftedBy(n, -1):
				return problemAt(l.Seq, ProblemInserted, "a forged entry was inserted at %d and later entries renumbered up", l.Seq)
			default:
				return problemAt(l.Seq, ProblemAltered, "entry %d does not match its hash: its content was changed", l.Seq)
			}
		}
		if !bytes.Equal(l.Prev, prev) {
			n, err := peek()
			if err != nil {
				return count, nil, err
			}
			if shiftedBy(n, -1) {
				return problemAt(l.Seq, ProblemInserted, "a forged entry was inserted at %d and later entries renumbered up", l.Seq)
			}
			return problemAt(l.Seq-1, ProblemAltered, "entry %d does not link to entry %d: entry %d was altered or replaced and its hash recomputed", l.Seq, l.Seq-1, l.Seq-1)
		}
		prev = l.Hash
		expected++
		count++
	}
	switch {
	case head.Seq > count:
		return problemAt(count+1, ProblemDeleted, "entries %d to %d are missing from the end: the head records %d", count+1, head.Seq, head.Seq)
	case head.Seq < count:
		return problemAt(head.Seq+1, ProblemInserted, "entries %d to %d were added after the recorded head %d", head.Seq+1, count, head.Seq)
	case !bytes.Equal(head.Hash, prev):
		return problemAt(count, ProblemAltered, "the last entry %d does not match the hash the head records", count)
	}
	return count, nil, nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
