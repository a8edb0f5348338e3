package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

var _ bluelamp.RecordStore = (*Store)(nil)

// prefixEnd is appended to a prefix for the upper bound of a range search
// over search keys: keys compare as bytes (the C collation on PostgreSQL,
// BINARY on SQLite), and no key holds a character above U+10FFFF.
const prefixEnd = "\U0010FFFF"

// recordClass is the classification of record events: records carry
// warning markers, for those who need to know.
const recordClass = bluelamp.ClassOfficialSensitive

// today is the date now, for dates of birth.
func (s *Store) today() bluelamp.Date { return bluelamp.DateOf(s.Now().UTC()) }

// Justifications of the writes: records are kept by force admins and
// imports, as officer records are.
var (
	recordCreated = bluelamp.Justification{Reason: "ADMIN", Text: "record created"}
	recordUpdated = bluelamp.Justification{Reason: "ADMIN", Text: "record updated"}
	recordImport  = bluelamp.Justification{Reason: "ADMIN", Text: "records imported"}
)

func recordNotFound(kind string) error {
	return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: kind + " record not found", Fields: map[string]string{"id": "no such " + kind + " record in this force"}}
}

// versionConflict refuses an update made from an old copy of a record.
func versionConflict(kind string, want, got int) error {
	return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "version_conflict",
		Message: fmt.Sprintf("the %s record has changed (version %d, not %d); read it again", kind, got, want),
		Fields:  map[string]string{"version": fmt.Sprintf("is %d now", got)}}
}

func referenceTaken(kind, ref string, id int64) error {
	return &bluelamp.Error{Kind: bluelamp.KindConflict, Message: fmt.Sprintf("reference %s is already %s/%d", ref, kind, id),
		Fields: map[string]string{"reference": fmt.Sprintf("is already %s/%d", kind, id)}}
}

// --- persons

const personCols = `p.id, p.force_id, p.reference, p.surname, p.forenames, p.date_of_birth, p.sex, p.aliases, p.addresses, p.description,
	p.vulnerable, p.vulnerability, p.interpreter, p.language, p.markers, p.version, p.created_at, p.updated_at`

func scanPerson(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.Person, error) {
	var p bluelamp.Person
	var aliases, addresses, markers string
	var created, updated int64
	dest := []any{&p.ID, &p.ForceID, &p.Reference, &p.Surname, &p.Forenames, &p.DateOfBirth, &p.Sex, &aliases, &addresses, &p.Description,
		&p.Vulnerable, &p.Vulnerability, &p.Interpreter, &p.Language, &markers, &p.Version, &created, &updated}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	if p.Aliases, err = fromJSON[[]bluelamp.PersonName](aliases, "aliases"); err != nil {
		return nil, err
	}
	if p.Addresses, err = fromJSON[[]bluelamp.PersonAddress](addresses, "addresses"); err != nil {
		return nil, err
	}
	p.Markers, err = scanMarkers(markers)
	return &p, err
}

func scanMarkers(text string) ([]bluelamp.Marker, error) {
	ms, err := fromJSON[[]bluelamp.Marker](text, "markers")
	bluelamp.SortMarkers(ms)
	return nonNilList(ms), err
}

func nonNilList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (t *tx) person(id bluelamp.PersonID) (*bluelamp.Person, error) {
	p, err := scanPerson(t.queryRow("SELECT "+personCols+" FROM persons p WHERE p.force_id = ? AND p.id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, recordNotFound("person")
	}
	if err != nil {
		return nil, fmt.Errorf("load person: %w", err)
	}
	return p, nil
}

// existing is what replacing a record needs to know of the stored one.
type existing struct {
	id      int64
	version int
	created time.Time
}

// byReference returns the force's record of table with reference ref, or
// nil when there is none.
func (t *tx) byReference(table, ref string) (*existing, error) {
	if ref == "" {
		return nil, nil
	}
	var e existing
	var created int64
	// "reference <> ''" lets PostgreSQL use the partial unique index in a
	// generic plan, where it cannot tell that ref is not empty.
	err := t.queryRow("SELECT id, version, created_at FROM "+table+" WHERE force_id = ? AND reference = ? AND reference <> ''", t.force(), ref).
		Scan(&e.id, &e.version, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find %s by reference: %w", table, err)
	}
	e.created = fromMicros(created)
	return &e, nil
}

// checkReference refuses ref when another record of table holds it.
func (t *tx) checkReference(table, kind, ref string, self int64) error {
	e, err := t.byReference(table, ref)
	if err != nil {
		return err
	}
	if e != nil && e.id != self {
		return referenceTaken(kind, ref, e.id)
	}
	return nil
}

// insertPerson writes a validated person record and its event.
func (t *tx) insertPerson(p *bluelamp.Person) error {
	p.ForceID, p.Version, p.CreatedAt, p.UpdatedAt = t.force(), 1, t.now, t.now
	id, err := t.insertID(`INSERT INTO persons (force_id, reference, surname, forenames, surname_key, forename_key, date_of_birth, sex, aliases,
		addresses, description, vulnerable, vulnerability, interpreter, language, markers, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.force(), p.Reference, p.Surname, p.Forenames, bluelamp.NameKey(p.Surname), bluelamp.NameKey(p.Forenames), p.DateOfBirth, p.Sex,
		jsonText(p.Aliases), jsonText(p.Addresses), p.Description, p.Vulnerable, p.Vulnerability, p.Interpreter, p.Language,
		jsonText(p.Markers), p.Version, micros(t.now), micros(t.now))
	if err != nil {
		return t.s.d.translate(err, "person "+p.Reference)
	}
	p.ID = bluelamp.PersonID(id)
	if err := t.writeNames(p); err != nil {
		return err
	}
	_, err = t.appendEvent(bluelamp.EventPersonCreated, subject("person", id), recordClass, p)
	return err
}

// replacePerson overwrites the force's person record old with p, and
// appends its event.
func (t *tx) replacePerson(p *bluelamp.Person, old existing) error {
	p.ID, p.ForceID, p.Version, p.CreatedAt, p.UpdatedAt = bluelamp.PersonID(old.id), t.force(), old.version+1, old.created, t.now
	if _, err := t.exec(`UPDATE persons SET reference = ?, surname = ?, forenames = ?, surname_key = ?, forename_key = ?, date_of_birth = ?,
		sex = ?, aliases = ?, addresses = ?, description = ?, vulnerable = ?, vulnerability = ?, interpreter = ?, language = ?, markers = ?,
		version = ?, updated_at = ? WHERE force_id = ? AND id = ?`,
		p.Reference, p.Surname, p.Forenames, bluelamp.NameKey(p.Surname), bluelamp.NameKey(p.Forenames), p.DateOfBirth, p.Sex,
		jsonText(p.Aliases), jsonText(p.Addresses), p.Description, p.Vulnerable, p.Vulnerability, p.Interpreter, p.Language,
		jsonText(p.Markers), p.Version, micros(t.now), t.force(), p.ID); err != nil {
		return t.s.d.translate(err, "person "+p.Reference)
	}
	if _, err := t.exec("DELETE FROM person_names WHERE force_id = ? AND person_id = ?", t.force(), p.ID); err != nil {
		return fmt.Errorf("clear person names: %w", err)
	}
	if err := t.writeNames(p); err != nil {
		return err
	}
	_, err := t.appendEvent(bluelamp.EventPersonUpdated, subject("person", p.ID), recordClass, p)
	return err
}

// writeNames indexes every name p is known by.
func (t *tx) writeNames(p *bluelamp.Person) error {
	seen := map[[2]string]bool{}
	for _, n := range p.Names() {
		k := [2]string{bluelamp.NameKey(n.Surname), bluelamp.NameKey(n.Forenames)}
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, err := t.exec("INSERT INTO person_names (force_id, surname_key, forename_key, person_id) VALUES (?, ?, ?, ?)",
			t.force(), k[0], k[1], p.ID); err != nil {
			return fmt.Errorf("insert person name: %w", err)
		}
	}
	return nil
}

// CreatePerson adds a person record, audited as a collection.
func (s *Store) CreatePerson(ctx context.Context, p *bluelamp.Person) error {
	if err := p.Validate(s.today()); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.checkReference("persons", "person", p.Reference, 0); err != nil {
			return err
		}
		if err := t.insertPerson(p); err != nil {
			return err
		}
		ref := subject("person", p.ID)
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "person.create", records: []string{ref}, subjects: []string{ref}, j: recordCreated})
	})
}

// UpdatePerson replaces a person record, audited as an alteration.
func (s *Store) UpdatePerson(ctx context.Context, p *bluelamp.Person) error {
	if err := p.Validate(s.today()); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		old, err := t.person(p.ID)
		if err != nil {
			return err
		}
		if p.Version != 0 && p.Version != old.Version {
			return versionConflict("person", p.Version, old.Version)
		}
		if p.Reference == "" {
			p.Reference = old.Reference
		}
		if err := t.checkReference("persons", "person", p.Reference, int64(p.ID)); err != nil {
			return err
		}
		if err := t.replacePerson(p, existing{int64(old.ID), old.Version, old.CreatedAt}); err != nil {
			return err
		}
		ref := subject("person", p.ID)
		return t.audit(auditEntry{action: bluelamp.AuditAlteration, what: "person.update", records: []string{ref}, subjects: []string{ref}, j: recordUpdated})
	})
}

// FindPersons searches person records by any name they are known by,
// audited as a consultation naming the records returned.
func (s *Store) FindPersons(ctx context.Context, f bluelamp.PersonFilter, j bluelamp.Justification) ([]*bluelamp.Person, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	surname, prefix := f.SurnameKey()
	forename := bluelamp.NameKey(f.Forename)
	var out []*bluelamp.Person
	var total int
	err := s.write(ctx, func(t *tx) error {
		names, args := []string{"n.force_id = ?"}, []any{t.force()}
		if prefix {
			names, args = append(names, "n.surname_key >= ?", "n.surname_key < ?"), append(args, surname, surname+prefixEnd)
		} else {
			names, args = append(names, "n.surname_key = ?"), append(args, surname)
		}
		if forename != "" {
			names, args = append(names, "n.forename_key >= ?", "n.forename_key < ?"), append(args, forename, forename+prefixEnd)
		}
		where := []string{"p.force_id = ?", "p.id IN (SELECT n.person_id FROM person_names n WHERE " + joinAnd(names) + ")"}
		args = append([]any{t.force()}, args...)
		if f.DateOfBirth != nil {
			where, args = append(where, "p.date_of_birth = ?"), append(args, *f.DateOfBirth)
		}
		total = 0
		var err error
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Person, error) {
			return scanPerson(sc, &total)
		}, "SELECT "+personCols+", COUNT(*) OVER () FROM persons p WHERE "+joinAnd(where)+
			" ORDER BY p.surname_key, p.forename_key, p.date_of_birth, p.id LIMIT ? OFFSET ?", append(args, recordLimit(f.Limit), f.Offset)...)
		if err != nil {
			return fmt.Errorf("search persons: %w", err)
		}
		if total, err = t.totalPastEnd(total, len(out), f.Offset, "persons p", where, args); err != nil {
			return err
		}
		refs := make([]string, len(out))
		for i, p := range out {
			refs[i] = subject("person", p.ID)
		}
		what := fmt.Sprintf("person.search surname=%q forename=%q", f.Surname, f.Forename)
		if f.DateOfBirth != nil {
			what += " dob=" + string(*f.DateOfBirth)
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: what, records: refs, subjects: refs, j: j})
	})
	out, err = result(out, err)
	return nonNilList(out), total, err
}

// FindPersonByID returns a person record, audited as a consultation.
func (s *Store) FindPersonByID(ctx context.Context, id bluelamp.PersonID, j bluelamp.Justification) (*bluelamp.Person, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Person
	err := s.write(ctx, func(t *tx) (err error) {
		if out, err = t.person(id); err != nil {
			return err
		}
		ref := subject("person", id)
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "person.view", records: []string{ref}, subjects: []string{ref}, j: j})
	})
	return result(out, err)
}

func recordLimit(n int) int {
	if n <= 0 {
		return bluelamp.DefaultRecordLimit
	}
	return min(n, bluelamp.MaxRecordLimit)
}

// --- vehicles

const vehicleCols = `v.id, v.force_id, v.reference, v.vrm, v.make, v.model, v.colour, COALESCE(v.keeper_id, 0), COALESCE(k.reference, ''),
	v.markers, v.version, v.created_at, v.updated_at`

const vehicleFrom = " FROM vehicles v LEFT JOIN persons k ON k.force_id = v.force_id AND k.id = v.keeper_id"

func scanVehicle(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.Vehicle, error) {
	var v bluelamp.Vehicle
	var markers string
	var created, updated int64
	dest := []any{&v.ID, &v.ForceID, &v.Reference, &v.VRM, &v.Make, &v.Model, &v.Colour, &v.KeeperID, &v.KeeperRef,
		&markers, &v.Version, &created, &updated}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	v.Markers, err = scanMarkers(markers)
	return &v, err
}

func (t *tx) vehicle(id bluelamp.VehicleID) (*bluelamp.Vehicle, error) {
	v, err := scanVehicle(t.queryRow("SELECT "+vehicleCols+vehicleFrom+" WHERE v.force_id = ? AND v.id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, recordNotFound("vehicle")
	}
	if err != nil {
		return nil, fmt.Errorf("load vehicle: %w", err)
	}
	return v, nil
}

// resolveKeeper sets v.KeeperID from v.KeeperRef, or checks that
// v.KeeperID is a person of the force, and sets the other to match.
func (t *tx) resolveKeeper(v *bluelamp.Vehicle) error {
	switch {
	case v.KeeperRef != "":
		e, err := t.byReference("persons", v.KeeperRef)
		if err != nil {
			return err
		}
		if e == nil || (v.KeeperID != 0 && v.KeeperID != bluelamp.PersonID(e.id)) {
			return bluelamp.InvalidFields(map[string]string{"keeper_ref": "no person record in this force has this reference"})
		}
		v.KeeperID = bluelamp.PersonID(e.id)
	case v.KeeperID != 0:
		p, err := t.person(v.KeeperID)
		if bluelamp.KindOf(err) == bluelamp.KindNotFound {
			return bluelamp.InvalidFields(map[string]string{"keeper_id": "no such person record in this force"})
		}
		if err != nil {
			return err
		}
		v.KeeperRef = p.Reference
	}
	return nil
}

// checkVRM refuses v's VRM when another vehicle record of the force has it.
func (t *tx) checkVRM(v *bluelamp.Vehicle) error {
	var id int64
	err := t.queryRow("SELECT id FROM vehicles WHERE force_id = ? AND vrm = ?", t.force(), v.VRM).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && id == int64(v.ID)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check vrm: %w", err)
	}
	return &bluelamp.Error{Kind: bluelamp.KindConflict, Message: fmt.Sprintf("%s is already vehicle/%d", v.VRM, id),
		Fields: map[string]string{"vrm": fmt.Sprintf("is already vehicle/%d", id)}}
}

func keeperArg(id bluelamp.PersonID) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(id), Valid: id != 0}
}

func (t *tx) insertVehicle(v *bluelamp.Vehicle) error {
	v.ForceID, v.Version, v.CreatedAt, v.UpdatedAt = t.force(), 1, t.now, t.now
	id, err := t.insertID(`INSERT INTO vehicles (force_id, reference, vrm, make, model, colour, keeper_id, markers, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.force(), v.Reference, v.VRM, v.Make, v.Model, v.Colour, keeperArg(v.KeeperID), jsonText(v.Markers), v.Version, micros(t.now), micros(t.now))
	if err != nil {
		return t.s.d.translate(err, "vehicle "+v.VRM)
	}
	v.ID = bluelamp.VehicleID(id)
	_, err = t.appendEvent(bluelamp.EventVehicleCreated, subject("vehicle", id), recordClass, v)
	return err
}

func (t *tx) replaceVehicle(v *bluelamp.Vehicle, old existing) error {
	v.ID, v.ForceID, v.Version, v.CreatedAt, v.UpdatedAt = bluelamp.VehicleID(old.id), t.force(), old.version+1, old.created, t.now
	if _, err := t.exec(`UPDATE vehicles SET reference = ?, vrm = ?, make = ?, model = ?, colour = ?, keeper_id = ?, markers = ?, version = ?,
		updated_at = ? WHERE force_id = ? AND id = ?`,
		v.Reference, v.VRM, v.Make, v.Model, v.Colour, keeperArg(v.KeeperID), jsonText(v.Markers), v.Version, micros(t.now), t.force(), v.ID); err != nil {
		return t.s.d.translate(err, "vehicle "+v.VRM)
	}
	_, err := t.appendEvent(bluelamp.EventVehicleUpdated, subject("vehicle", v.ID), recordClass, v)
	return err
}

// vehicleSubjects are the records and data subjects a vehicle record
// touches: the vehicle and its keeper.
func vehicleSubjects(v *bluelamp.Vehicle) []string {
	refs := []string{subject("vehicle", v.ID)}
	if v.KeeperID != 0 {
		refs = append(refs, subject("person", v.KeeperID))
	}
	return refs
}

// CreateVehicle adds a vehicle record, audited as a collection.
func (s *Store) CreateVehicle(ctx context.Context, v *bluelamp.Vehicle) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.checkReference("vehicles", "vehicle", v.Reference, 0); err != nil {
			return err
		}
		if err := t.checkVRM(v); err != nil {
			return err
		}
		if err := t.resolveKeeper(v); err != nil {
			return err
		}
		if err := t.insertVehicle(v); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "vehicle.create", records: []string{subject("vehicle", v.ID)},
			subjects: vehicleSubjects(v), j: recordCreated})
	})
}

// UpdateVehicle replaces a vehicle record, audited as an alteration.
func (s *Store) UpdateVehicle(ctx context.Context, v *bluelamp.Vehicle) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		old, err := t.vehicle(v.ID)
		if err != nil {
			return err
		}
		if v.Version != 0 && v.Version != old.Version {
			return versionConflict("vehicle", v.Version, old.Version)
		}
		if v.Reference == "" {
			v.Reference = old.Reference
		}
		if err := t.checkReference("vehicles", "vehicle", v.Reference, int64(v.ID)); err != nil {
			return err
		}
		if err := t.checkVRM(v); err != nil {
			return err
		}
		if err := t.resolveKeeper(v); err != nil {
			return err
		}
		if err := t.replaceVehicle(v, existing{int64(old.ID), old.Version, old.CreatedAt}); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditAlteration, what: "vehicle.update", records: []string{subject("vehicle", v.ID)},
			subjects: uniq(append(vehicleSubjects(old), vehicleSubjects(v)...)), j: recordUpdated})
	})
}

// withKeepers loads the keeper's record of each vehicle and returns the
// records and data subjects the vehicles touch.
func (t *tx) withKeepers(vs []*bluelamp.Vehicle) (records, subjects []string, err error) {
	keepers := map[bluelamp.PersonID]*bluelamp.Person{}
	for _, v := range vs {
		records = append(records, subject("vehicle", v.ID))
		subjects = append(subjects, vehicleSubjects(v)...)
		if v.KeeperID == 0 {
			continue
		}
		k, ok := keepers[v.KeeperID]
		if !ok {
			if k, err = t.person(v.KeeperID); err != nil {
				return nil, nil, err
			}
			keepers[v.KeeperID] = k
		}
		v.Keeper = k
	}
	return records, uniq(subjects), nil
}

// FindVehicles searches vehicle records by registration mark, audited as
// a consultation naming the vehicles and their keepers.
func (s *Store) FindVehicles(ctx context.Context, f bluelamp.VehicleFilter, j bluelamp.Justification) ([]*bluelamp.Vehicle, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	search, err := bluelamp.ParseVRMSearch(f.VRM)
	if err != nil {
		return nil, 0, bluelamp.InvalidFields(map[string]string{"vrm": bluelamp.MessageOf(err)})
	}
	if f.Offset < 0 || f.Limit < 0 || f.Limit > bluelamp.MaxRecordLimit {
		return nil, 0, bluelamp.InvalidFields(map[string]string{"limit": "must be from 1 to 200, and offset not negative"})
	}
	var out []*bluelamp.Vehicle
	var total int
	err = s.write(ctx, func(t *tx) error {
		where, args := []string{"v.force_id = ?"}, []any{t.force()}
		switch {
		case !search.Wildcard:
			where, args = append(where, "v.vrm = ?"), append(args, search.VRM)
		default:
			if search.Prefix != "" {
				where, args = append(where, "v.vrm >= ?", "v.vrm < ?"), append(args, search.Prefix, search.Prefix+prefixEnd)
			}
			// A normalised mark holds only letters and digits, so the
			// pattern needs no escaping.
			like := strings.NewReplacer("*", "%", "?", "_").Replace(search.VRM)
			where, args = append(where, "v.vrm LIKE ?"), append(args, like)
		}
		total = 0
		var err error
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Vehicle, error) {
			return scanVehicle(sc, &total)
		}, "SELECT "+vehicleCols+", COUNT(*) OVER ()"+vehicleFrom+" WHERE "+joinAnd(where)+" ORDER BY v.vrm LIMIT ? OFFSET ?",
			append(args, recordLimit(f.Limit), f.Offset)...)
		if err != nil {
			return fmt.Errorf("search vehicles: %w", err)
		}
		if total, err = t.totalPastEnd(total, len(out), f.Offset, "vehicles v", where, args); err != nil {
			return err
		}
		records, subjects, err := t.withKeepers(out)
		if err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: fmt.Sprintf("vehicle.search vrm=%q", search.VRM),
			records: records, subjects: subjects, j: j})
	})
	out, err = result(out, err)
	return nonNilList(out), total, err
}

// FindVehicleByID returns a vehicle record with its keeper's, audited as a
// consultation.
func (s *Store) FindVehicleByID(ctx context.Context, id bluelamp.VehicleID, j bluelamp.Justification) (*bluelamp.Vehicle, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Vehicle
	err := s.write(ctx, func(t *tx) (err error) {
		if out, err = t.vehicle(id); err != nil {
			return err
		}
		records, subjects, err := t.withKeepers([]*bluelamp.Vehicle{out})
		if err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "vehicle.view", records: records, subjects: subjects, j: j})
	})
	return result(out, err)
}

// --- locations

const locationCols = `l.id, l.force_id, l.reference, l.address, l.postcode, l.lat, l.lon, l.description, l.markers, l.version, l.created_at, l.updated_at`

func scanLocation(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.LocationRecord, error) {
	var l bluelamp.LocationRecord
	var lat, lon sql.NullFloat64
	var markers string
	var created, updated int64
	dest := []any{&l.ID, &l.ForceID, &l.Reference, &l.Address, &l.Postcode, &lat, &lon, &l.Description, &markers, &l.Version, &created, &updated}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		l.Position = &bluelamp.Position{Lat: lat.Float64, Lon: lon.Float64}
	}
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	l.Markers, err = scanMarkers(markers)
	return &l, err
}

func (t *tx) location(id bluelamp.LocationRecordID) (*bluelamp.LocationRecord, error) {
	l, err := scanLocation(t.queryRow("SELECT "+locationCols+" FROM locations l WHERE l.force_id = ? AND l.id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, recordNotFound("location")
	}
	if err != nil {
		return nil, fmt.Errorf("load location: %w", err)
	}
	return l, nil
}

func (t *tx) insertLocation(l *bluelamp.LocationRecord) error {
	l.ForceID, l.Version, l.CreatedAt, l.UpdatedAt = t.force(), 1, t.now, t.now
	lat, lon := nullPos(l.Position)
	id, err := t.insertID(`INSERT INTO locations (force_id, reference, address, postcode, lat, lon, description, markers, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.force(), l.Reference, l.Address, l.Postcode, lat, lon, l.Description, jsonText(l.Markers), l.Version, micros(t.now), micros(t.now))
	if err != nil {
		return t.s.d.translate(err, "location "+l.Reference)
	}
	l.ID = bluelamp.LocationRecordID(id)
	if err := t.writeWords(l); err != nil {
		return err
	}
	_, err = t.appendEvent(bluelamp.EventLocationCreated, subject("location", id), recordClass, l)
	return err
}

func (t *tx) replaceLocation(l *bluelamp.LocationRecord, old existing) error {
	l.ID, l.ForceID, l.Version, l.CreatedAt, l.UpdatedAt = bluelamp.LocationRecordID(old.id), t.force(), old.version+1, old.created, t.now
	lat, lon := nullPos(l.Position)
	if _, err := t.exec(`UPDATE locations SET reference = ?, address = ?, postcode = ?, lat = ?, lon = ?, description = ?, markers = ?, version = ?,
		updated_at = ? WHERE force_id = ? AND id = ?`,
		l.Reference, l.Address, l.Postcode, lat, lon, l.Description, jsonText(l.Markers), l.Version, micros(t.now), t.force(), l.ID); err != nil {
		return t.s.d.translate(err, "location "+l.Reference)
	}
	if _, err := t.exec("DELETE FROM location_words WHERE force_id = ? AND location_id = ?", t.force(), l.ID); err != nil {
		return fmt.Errorf("clear location words: %w", err)
	}
	if err := t.writeWords(l); err != nil {
		return err
	}
	_, err := t.appendEvent(bluelamp.EventLocationUpdated, subject("location", l.ID), recordClass, l)
	return err
}

// writeWords indexes the words of l's address for address searches.
func (t *tx) writeWords(l *bluelamp.LocationRecord) error {
	seen := map[string]bool{}
	for w := range strings.FieldsSeq(addressKey(l.Address)) {
		if seen[w] {
			continue
		}
		seen[w] = true
		if _, err := t.exec("INSERT INTO location_words (force_id, word, location_id) VALUES (?, ?, ?)", t.force(), w, l.ID); err != nil {
			return fmt.Errorf("insert location word: %w", err)
		}
	}
	return nil
}

// CreateLocationRecord adds a location record, audited as a collection.
func (s *Store) CreateLocationRecord(ctx context.Context, l *bluelamp.LocationRecord) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.checkReference("locations", "location", l.Reference, 0); err != nil {
			return err
		}
		if err := t.insertLocation(l); err != nil {
			return err
		}
		ref := subject("location", l.ID)
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "location.create", records: []string{ref}, subjects: []string{ref}, j: recordCreated})
	})
}

// UpdateLocationRecord replaces a location record, audited as an alteration.
func (s *Store) UpdateLocationRecord(ctx context.Context, l *bluelamp.LocationRecord) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		old, err := t.location(l.ID)
		if err != nil {
			return err
		}
		if l.Version != 0 && l.Version != old.Version {
			return versionConflict("location", l.Version, old.Version)
		}
		if l.Reference == "" {
			l.Reference = old.Reference
		}
		if err := t.checkReference("locations", "location", l.Reference, int64(l.ID)); err != nil {
			return err
		}
		if err := t.replaceLocation(l, existing{int64(old.ID), old.Version, old.CreatedAt}); err != nil {
			return err
		}
		ref := subject("location", l.ID)
		return t.audit(auditEntry{action: bluelamp.AuditAlteration, what: "location.update", records: []string{ref}, subjects: []string{ref}, j: recordUpdated})
	})
}

// maxNear bounds the location records a search near a position reads
// before taking exact distances.
const maxNear = 5000

// FindLocationRecords searches location records by address words or
// postcode, or near a position, audited as a consultation.
func (s *Store) FindLocationRecords(ctx context.Context, f bluelamp.LocationRecordFilter, j bluelamp.Justification) ([]*bluelamp.LocationRecord, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	var out []*bluelamp.LocationRecord
	var total int
	err := s.write(ctx, func(t *tx) error {
		where, args := []string{"l.force_id = ?"}, []any{t.force()}
		if pc, ok := bluelamp.NormalisePostcode(f.Query); ok {
			where, args = append(where, "l.postcode = ?"), append(args, pc)
		} else if district, ok := bluelamp.OutwardCode(f.Query); ok {
			// An outward code may be a word of an address too (the A35
			// road): either matches.
			word := strings.ToLower(district)
			where = append(where, "l.id IN (SELECT p.id FROM locations p WHERE p.force_id = ? AND p.postcode >= ? AND p.postcode < ?"+
				" UNION SELECT w.location_id FROM location_words w WHERE w.force_id = ? AND w.word >= ? AND w.word < ?)")
			args = append(args, t.force(), district+" ", district+" "+prefixEnd, t.force(), word, word+prefixEnd)
		} else {
			words := strings.Fields(addressKey(f.Query))
			if len(words) > 8 {
				words = words[:8]
			}
			for _, w := range words {
				where = append(where, "l.id IN (SELECT w.location_id FROM location_words w WHERE w.force_id = ? AND w.word >= ? AND w.word < ?)")
				args = append(args, t.force(), w, w+prefixEnd)
			}
		}
		var err error
		if f.Near == nil {
			total = 0
			out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.LocationRecord, error) {
				return scanLocation(sc, &total)
			}, "SELECT "+locationCols+", COUNT(*) OVER () FROM locations l WHERE "+joinAnd(where)+" ORDER BY l.address, l.id LIMIT ? OFFSET ?",
				append(args, recordLimit(f.Limit), f.Offset)...)
			if err != nil {
				return fmt.Errorf("search locations: %w", err)
			}
			if total, err = t.totalPastEnd(total, len(out), f.Offset, "locations l", where, args); err != nil {
				return err
			}
		} else if out, total, err = t.locationsNear(f, where, args); err != nil {
			return err
		}
		refs := make([]string, len(out))
		for i, l := range out {
			refs[i] = subject("location", l.ID)
		}
		what := fmt.Sprintf("location.search q=%q", f.Query)
		if f.Near != nil {
			what += fmt.Sprintf(" near=%.5f,%.5f radius=%g", f.Near.Lat, f.Near.Lon, f.RadiusM)
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: what, records: refs, subjects: refs, j: j})
	})
	out, err = result(out, err)
	return nonNilList(out), total, err
}

// locationsNear returns the page of location records matching where within
// f.RadiusM of f.Near, nearest first, and how many there are.
func (t *tx) locationsNear(f bluelamp.LocationRecordFilter, where []string, args []any) ([]*bluelamp.LocationRecord, int, error) {
	p := *f.Near
	dLat, dLon := around(p, f.RadiusM)
	where = append(where, "l.lat BETWEEN ? AND ?", "l.lon BETWEEN ? AND ?")
	args = append(args, p.Lat-dLat, p.Lat+dLat, p.Lon-dLon, p.Lon+dLon)
	box, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.LocationRecord, error) {
		return scanLocation(sc)
	}, "SELECT "+locationCols+" FROM locations l WHERE "+joinAnd(where)+" ORDER BY l.id LIMIT ?", append(args, maxNear)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search locations near: %w", err)
	}
	var near []*bluelamp.LocationRecord
	for _, l := range box {
		if d := p.Distance(*l.Position); d <= f.RadiusM {
			l.Distance = new(d)
			near = append(near, l)
		}
	}
	slices.SortStableFunc(near, func(a, b *bluelamp.LocationRecord) int { return cmpFloat(*a.Distance, *b.Distance) })
	total := len(near)
	from := min(f.Offset, total)
	return near[from:min(from+recordLimit(f.Limit), total)], total, nil
}

// FindLocationRecordByID returns a location record, audited as a consultation.
func (s *Store) FindLocationRecordByID(ctx context.Context, id bluelamp.LocationRecordID, j bluelamp.Justification) (*bluelamp.LocationRecord, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.LocationRecord
	err := s.write(ctx, func(t *tx) (err error) {
		if out, err = t.location(id); err != nil {
			return err
		}
		ref := subject("location", id)
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "location.view", records: []string{ref}, subjects: []string{ref}, j: j})
	})
	return result(out, err)
}

// --- imports

// rowErrors collects what is wrong with an import, row by row.
type rowErrors map[[2]any]*bluelamp.RowError

func (rs rowErrors) add(imp *bluelamp.RecordImport, kind bluelamp.RecordKind, i int, ref, field, msg string) {
	row := imp.Row(kind, i)
	key := [2]any{kind, row}
	r, ok := rs[key]
	if !ok {
		r = &bluelamp.RowError{Kind: kind, Row: row, Reference: ref, Errors: map[string]string{}}
		rs[key] = r
	}
	if _, dup := r.Errors[field]; !dup {
		r.Errors[field] = msg
	}
}

// addErr adds the fields of a validation error, or its message under field.
func (rs rowErrors) addErr(imp *bluelamp.RecordImport, kind bluelamp.RecordKind, i int, ref, field string, err error) {
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && len(e.Fields) > 0 {
		for f, msg := range e.Fields {
			rs.add(imp, kind, i, ref, f, msg)
		}
		return
	}
	rs.add(imp, kind, i, ref, field, bluelamp.MessageOf(err))
}

var kindOrder = map[bluelamp.RecordKind]int{bluelamp.RecordPerson: 0, bluelamp.RecordVehicle: 1, bluelamp.RecordLocation: 2}

func (rs rowErrors) err() error {
	if len(rs) == 0 {
		return nil
	}
	out := make([]bluelamp.RowError, 0, len(rs))
	for _, r := range rs {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b bluelamp.RowError) int {
		if c := kindOrder[a.Kind] - kindOrder[b.Kind]; c != 0 {
			return c
		}
		return a.Row - b.Row
	})
	return &bluelamp.ImportError{Rows: out}
}

// ImportRecords checks every record of an import, then writes them all in
// one transaction: created records are audited as one collection, replaced
// ones as one alteration.
func (s *Store) ImportRecords(ctx context.Context, imp *bluelamp.RecordImport, dryRun bool) (*bluelamp.ImportResult, error) {
	if _, err := bluelamp.ForceActor(ctx); err != nil {
		return nil, err
	}
	switch n := imp.Len(); {
	case n == 0:
		return nil, bluelamp.InvalidFields(map[string]string{"records": "the import holds no records"})
	case n > bluelamp.MaxImportRows:
		return nil, &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "too_many_rows",
			Message: fmt.Sprintf("the import holds %d records; at most %d may be imported at once: split the file", n, bluelamp.MaxImportRows)}
	}
	bad := s.checkImport(imp)
	run := func(t *tx) (*bluelamp.ImportResult, error) {
		// A fresh copy each run: a write's fn may run twice.
		found := rowErrors{}
		for k, v := range bad {
			c := *v
			c.Errors = maps.Clone(v.Errors)
			found[k] = &c
		}
		plan, err := t.planImport(imp, found)
		if err != nil {
			return nil, err
		}
		if err := found.err(); err != nil || dryRun {
			return plan.counts(dryRun), err
		}
		return plan.counts(false), t.applyImport(imp, plan)
	}
	var res *bluelamp.ImportResult
	var err error
	if dryRun || len(bad) > 0 {
		err = s.read(ctx, func(t *tx) (err error) {
			res, err = run(t)
			return err
		})
	} else {
		err = s.write(ctx, func(t *tx) (err error) {
			res, err = run(t)
			return err
		})
	}
	return result(res, err)
}

// checkImport validates every record of imp on its own and against the
// others of the import.
func (s *Store) checkImport(imp *bluelamp.RecordImport) rowErrors {
	bad := rowErrors{}
	today := s.today()
	refs := map[bluelamp.RecordKind]map[string]int{}
	check := func(kind bluelamp.RecordKind, i int, ref string, err error) {
		if err != nil {
			bad.addErr(imp, kind, i, ref, "record", err)
		}
		if ref == "" {
			bad.add(imp, kind, i, ref, "reference", "is required in an import, so the import can be sent again safely")
			return
		}
		if refs[kind] == nil {
			refs[kind] = map[string]int{}
		}
		if first, dup := refs[kind][ref]; dup {
			bad.add(imp, kind, i, ref, "reference", fmt.Sprintf("is also the reference of row %d", imp.Row(kind, first)))
			return
		}
		refs[kind][ref] = i
	}
	for i, p := range imp.Persons {
		check(bluelamp.RecordPerson, i, p.Reference, p.Validate(today))
	}
	vrms := map[string]int{}
	for i, v := range imp.Vehicles {
		check(bluelamp.RecordVehicle, i, v.Reference, v.Validate())
		if v.KeeperID != 0 {
			bad.add(imp, bluelamp.RecordVehicle, i, v.Reference, "keeper_id", "an import names the keeper by keeper_ref")
		}
		if first, dup := vrms[v.VRM]; dup && v.VRM != "" {
			bad.add(imp, bluelamp.RecordVehicle, i, v.Reference, "vrm", fmt.Sprintf("is also the registration of row %d", imp.Row(bluelamp.RecordVehicle, first)))
		} else {
			vrms[v.VRM] = i
		}
	}
	for i, l := range imp.Locations {
		check(bluelamp.RecordLocation, i, l.Reference, l.Validate())
	}
	return bad
}

// importPlan is which records of an import replace stored ones.
type importPlan struct {
	persons, vehicles, locations []*existing // nil: create
	keepers                      []int64     // each vehicle's keeper: a stored person's id, or -1-i for the import's i-th person
}

func (p *importPlan) counts(dryRun bool) *bluelamp.ImportResult {
	count := func(es []*existing) (c bluelamp.ImportCounts) {
		for _, e := range es {
			if e == nil {
				c.Created++
			} else {
				c.Updated++
			}
		}
		return c
	}
	return &bluelamp.ImportResult{DryRun: dryRun, Persons: count(p.persons), Vehicles: count(p.vehicles), Locations: count(p.locations)}
}

// planImport finds the stored records an import replaces and its vehicles'
// keepers, adding to bad what the store refuses.
func (t *tx) planImport(imp *bluelamp.RecordImport, bad rowErrors) (*importPlan, error) {
	plan := &importPlan{}
	lookup := func(table string, ref string) (*existing, error) {
		if !bluelamp.ValidReference(ref) {
			return nil, nil
		}
		return t.byReference(table, ref)
	}
	inImport, newVRM := map[string]int{}, map[string]string{}
	for _, v := range imp.Vehicles {
		newVRM[v.Reference] = v.VRM
	}
	for i, p := range imp.Persons {
		e, err := lookup("persons", p.Reference)
		if err != nil {
			return nil, err
		}
		plan.persons = append(plan.persons, e)
		inImport[p.Reference] = i
	}
	for i, v := range imp.Vehicles {
		e, err := lookup("vehicles", v.Reference)
		if err != nil {
			return nil, err
		}
		plan.vehicles = append(plan.vehicles, e)
		if v.VRM != "" {
			var id int64
			var ref string
			err := t.queryRow("SELECT id, reference FROM vehicles WHERE force_id = ? AND vrm = ?", t.force(), v.VRM).Scan(&id, &ref)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return nil, fmt.Errorf("check vrm: %w", err)
			case e != nil && e.id == id:
			case newVRM[ref] != "" && newVRM[ref] != v.VRM:
				// Its holder is in the import too, under another mark.
			default:
				bad.add(imp, bluelamp.RecordVehicle, i, v.Reference, "vrm", fmt.Sprintf("is already vehicle/%d (reference %q)", id, ref))
			}
		}
		keeper := int64(0)
		if v.KeeperRef != "" {
			if j, ok := inImport[v.KeeperRef]; ok {
				keeper = int64(-1 - j)
			} else if k, err := lookup("persons", v.KeeperRef); err != nil {
				return nil, err
			} else if k == nil {
				bad.add(imp, bluelamp.RecordVehicle, i, v.Reference, "keeper_ref", "no person record in this import or this force has this reference")
			} else {
				keeper = k.id
			}
		}
		plan.keepers = append(plan.keepers, keeper)
	}
	for _, l := range imp.Locations {
		e, err := lookup("locations", l.Reference)
		if err != nil {
			return nil, err
		}
		plan.locations = append(plan.locations, e)
	}
	return plan, nil
}

// applyImport writes a checked import as plan says, with its audit
// records and a records.imported event.
func (t *tx) applyImport(imp *bluelamp.RecordImport, plan *importPlan) error {
	var created, updated, createdSubjects, updatedSubjects []string
	note := func(e *existing, records, subjects []string) {
		if e == nil {
			created, createdSubjects = append(created, records...), append(createdSubjects, subjects...)
		} else {
			updated, updatedSubjects = append(updated, records...), append(updatedSubjects, subjects...)
		}
	}
	for i, p := range imp.Persons {
		var err error
		if e := plan.persons[i]; e == nil {
			err = t.insertPerson(p)
		} else {
			err = t.replacePerson(p, *e)
		}
		if err != nil {
			return err
		}
		ref := []string{subject("person", p.ID)}
		note(plan.persons[i], ref, ref)
	}
	// Vehicles replaced in an import may give up their VRMs to others of
	// the import: clear them first so the unique index sees the end state.
	for i, v := range imp.Vehicles {
		if e := plan.vehicles[i]; e != nil {
			if _, err := t.exec("UPDATE vehicles SET vrm = ? WHERE force_id = ? AND id = ?", fmt.Sprintf("~%d", e.id), t.force(), e.id); err != nil {
				return fmt.Errorf("free vrm of %s: %w", v.Reference, err)
			}
		}
	}
	for i, v := range imp.Vehicles {
		v.KeeperID, v.KeeperRef = 0, ""
		if k := plan.keepers[i]; k > 0 {
			v.KeeperID = bluelamp.PersonID(k)
		} else if k < 0 {
			v.KeeperID = imp.Persons[-1-k].ID
		}
		if err := t.resolveKeeper(v); err != nil {
			return err
		}
		var err error
		if e := plan.vehicles[i]; e == nil {
			err = t.insertVehicle(v)
		} else {
			err = t.replaceVehicle(v, *e)
		}
		if err != nil {
			return err
		}
		note(plan.vehicles[i], []string{subject("vehicle", v.ID)}, vehicleSubjects(v))
	}
	for i, l := range imp.Locations {
		var err error
		if e := plan.locations[i]; e == nil {
			err = t.insertLocation(l)
		} else {
			err = t.replaceLocation(l, *e)
		}
		if err != nil {
			return err
		}
		ref := []string{subject("location", l.ID)}
		note(plan.locations[i], ref, ref)
	}
	if len(created) > 0 {
		if err := t.audit(auditEntry{action: bluelamp.AuditCollection, what: "records.import", records: created, subjects: uniq(createdSubjects), j: recordImport}); err != nil {
			return err
		}
	}
	if len(updated) > 0 {
		if err := t.audit(auditEntry{action: bluelamp.AuditAlteration, what: "records.import", records: updated, subjects: uniq(updatedSubjects), j: recordImport}); err != nil {
			return err
		}
	}
	_, err := t.appendEvent(bluelamp.EventRecordsImported, "records", bluelamp.ClassOfficial, plan.counts(false))
	return err
}
