package bluelamp

import (
	"errors"
	"regexp"
)

// ForceID identifies a Force by its slug, the form data.police.uk uses
// (e.g. "metropolitan", "avon-and-somerset").
type ForceID string

var forceIDPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)

// Valid reports whether id is a well-formed force slug.
func (id ForceID) Valid() bool { return forceIDPattern.MatchString(string(id)) }

// Force is a police force: the hard boundary every record sits inside.
type Force struct {
	ID   ForceID `json:"id"`
	Name string  `json:"name"`
}

// Validate reports every problem with f at once.
func (f *Force) Validate() error {
	fields := map[string]string{}
	if !f.ID.Valid() {
		fields["id"] = "must be a lower-case slug of 2 to 40 letters, digits and hyphens, starting with a letter"
	}
	if f.Name == "" || len(f.Name) > 200 {
		fields["name"] = "is required (at most 200 characters)"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// StationID identifies a Station within its force.
type StationID int64

// Station is a police station units work from.
type Station struct {
	ID      StationID `json:"id"`
	ForceID ForceID   `json:"force"`
	Code    string    `json:"code"` // force's own short code, e.g. "KX"
	Name    string    `json:"name"`
	Lat     float64   `json:"lat"`
	Lon     float64   `json:"lon"`
}

// Validate reports every problem with s at once.
func (s *Station) Validate() error {
	fields := map[string]string{}
	if s.Code == "" || len(s.Code) > 16 {
		fields["code"] = "is required (at most 16 characters)"
	}
	if s.Name == "" || len(s.Name) > 200 {
		fields["name"] = "is required (at most 200 characters)"
	}
	// Written so NaN fails too: every comparison with NaN is false.
	if !(s.Lat >= -90 && s.Lat <= 90) {
		fields["lat"] = "must be between -90 and 90"
	}
	if !(s.Lon >= -180 && s.Lon <= 180) {
		fields["lon"] = "must be between -180 and 180"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// OfficerID identifies an Officer within its force.
type OfficerID int64

// Officer is a person with a collar number. Officer records are personal data:
// reading them is a consultation under DPA 2018 s.62.
type Officer struct {
	ID           OfficerID `json:"id"`
	ForceID      ForceID   `json:"force"`
	CollarNumber string    `json:"collar_number"`
	Name         string    `json:"name"`
	Rank         string    `json:"rank"`
	StationID    StationID `json:"station_id"`
}

var collarPattern = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)

// Validate reports every problem with o at once.
func (o *Officer) Validate() error {
	fields := map[string]string{}
	if !collarPattern.MatchString(o.CollarNumber) {
		fields["collar_number"] = "must be 1 to 10 upper-case letters and digits"
	}
	if o.Name == "" || len(o.Name) > 200 {
		fields["name"] = "is required (at most 200 characters)"
	}
	if o.Rank == "" || len(o.Rank) > 64 {
		fields["rank"] = "is required (at most 64 characters)"
	}
	if o.StationID <= 0 {
		fields["station_id"] = "is required"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// ForceProvision is a new force set up whole, as the deployment's operator
// does over the API: the force, its settings and its first user, who is
// its force admin and can then set up the rest.
type ForceProvision struct {
	Force    Force
	Settings *ForceSettings // DefaultForceSettings when nil
	Admin    User           // the first user; given the force_admin role
	// PasswordHash is the admin's argon2id password hash.
	PasswordHash string
}

// Validate reports every problem with p at once, each field named as the
// provisioning request names it: id, name, settings.<field> and
// admin.<field> (admin.name for the admin's display name). The password
// is the caller's to check before it hashes it.
func (p *ForceProvision) Validate() error {
	fields := map[string]string{}
	add := func(prefix string, err error, rename map[string]string) {
		e, ok := errors.AsType[*Error](err)
		if !ok {
			return
		}
		for f, msg := range e.Fields {
			if r, ok := rename[f]; ok {
				f = r
			}
			fields[prefix+f] = msg
		}
	}
	add("", p.Force.Validate(), nil)
	if p.Settings != nil {
		add("settings.", p.Settings.Validate(), nil)
	}
	add("admin.", p.Admin.Validate(), map[string]string{"display_name": "name"})
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}
