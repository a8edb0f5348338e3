package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// identities are the credentials a force's simulated people act with:
// API tokens the force's admin made for this run.
type identities struct {
	handler, controller, supervisor, trackers *client
}

// runID names a run's synthetic forces and users, so runs never collide.
func runID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func secret() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// provision creates w's forces on the target with the operator token:
// each force with its admin, settings, stations, units, users and tokens.
func (s *Sim) provision(ctx context.Context, w *World) error {
	op := s.anon.with(s.cfg.OperatorToken, "operator")
	run := runID()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, 4) // forces set up side by side
	for _, f := range w.Forces {
		f.ID = bluelamp.ForceID(fmt.Sprintf("%s-%s-%02d", s.cfg.ForcePrefix, run, f.Index+1))
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := s.provisionForce(ctx, op, f); err != nil {
				mu.Lock()
				first = cmpErr(first, fmt.Errorf("set up force %s: %w", f.ID, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (s *Sim) provisionForce(ctx context.Context, op *client, f *Force) error {
	settings := bluelamp.DefaultForceSettings()
	settings.Area = f.Area
	admin := Credentials{Username: string(f.ID) + ".admin", Password: secret()}
	body := map[string]any{"id": f.ID, "name": f.Name, "settings": settings,
		"admin": map[string]string{"username": admin.Username, "name": f.Name + " simulator admin", "password": admin.Password}}
	if err := op.call(ctx, "", "POST", "/api/v1/forces", body, nil, time.Time{}); err != nil {
		return fmt.Errorf("create force: %w", err)
	}
	a, err := s.signIn(ctx, admin)
	if err != nil {
		return err
	}
	for _, st := range f.Stations {
		var out bluelamp.Station
		if err := a.call(ctx, "", "POST", "/api/v1/stations", map[string]any{"code": st.Code, "name": st.Name, "lat": st.Lat, "lon": st.Lon}, &out, time.Time{}); err != nil {
			return fmt.Errorf("create station %s: %w", st.Code, err)
		}
		st.ID = out.ID
	}
	for chunk := range slices.Chunk(f.Units, 2000) {
		rows := make([]map[string]any, len(chunk))
		for i, u := range chunk {
			skills := make([]bluelamp.UnitSkill, len(u.Skills))
			for k, sk := range u.Skills {
				skills[k] = bluelamp.UnitSkill{Skill: sk}
			}
			rows[i] = map[string]any{"call_sign": u.CallSign, "type": u.Type, "station_id": f.Stations[u.Station].ID, "crew": u.Crew, "skills": skills}
		}
		var out struct{ Units []bluelamp.Unit }
		if err := a.call(ctx, "", "POST", "/api/v1/units/import", map[string]any{"units": rows}, &out, time.Time{}); err != nil {
			return fmt.Errorf("import units: %w", err)
		}
		if len(out.Units) != len(chunk) {
			return fmt.Errorf("import units: sent %d, %d came back", len(chunk), len(out.Units))
		}
		for i, u := range chunk {
			u.ID = out.Units[i].ID
		}
	}
	f.Targets = targets(settings)
	ids, err := s.makeIdentities(ctx, a, f, true)
	if err != nil {
		return err
	}
	s.ids[f.Index] = ids
	return nil
}

// discover reads the existing force the admin credentials belong to: its
// area, stations and units become the world.
func (s *Sim) discover(ctx context.Context) (*World, error) {
	a, err := s.signIn(ctx, s.cfg.Admin)
	if err != nil {
		return nil, err
	}
	var me struct{ User bluelamp.User }
	var force bluelamp.Force
	var settings bluelamp.ForceSettings
	var stations struct{ Stations []*bluelamp.Station }
	var units struct{ Units []*bluelamp.Unit }
	for _, g := range []struct {
		path string
		out  any
	}{{"/api/v1/me", &me}, {"/api/v1/force", &force}, {"/api/v1/settings", &settings}, {"/api/v1/stations", &stations}, {"/api/v1/units", &units}} {
		if err := a.call(ctx, "", "GET", g.path, nil, g.out, time.Time{}); err != nil {
			return nil, fmt.Errorf("read %s: %w", g.path, err)
		}
	}
	f := &Force{ID: me.User.ForceID, Name: force.Name, Area: settings.Area, Targets: targets(&settings)}
	byID := map[bluelamp.StationID]int{}
	for i, st := range stations.Stations {
		byID[st.ID] = i
		f.Stations = append(f.Stations, &Station{ID: st.ID, Code: st.Code, Name: st.Name, Lat: st.Lat, Lon: st.Lon})
	}
	if len(f.Stations) == 0 {
		return nil, fmt.Errorf("force %s has no stations to start units from", f.ID)
	}
	rng := newRand(s.cfg.Seed, 0xd15c)
	for _, u := range units.Units {
		si := byID[u.StationID]
		t := typeOf(u.Type)
		su := &Unit{ID: u.ID, CallSign: u.CallSign, Type: u.Type, Station: si, Crew: u.Crew, Speed: t.speed,
			OnDuty: u.State != bluelamp.StateOffDuty, Ready: u.State.Available()}
		for _, sk := range u.Skills {
			su.Skills = append(su.Skills, sk.Skill)
		}
		st := f.Stations[si]
		radius := 1500.0
		if t.foot {
			radius = 600
		}
		su.Beat[0], su.Beat[1] = nearby(rng, st.Lat, st.Lon, radius)
		f.Units = append(f.Units, su)
	}
	ids, err := s.makeIdentities(ctx, a, f, false)
	if err != nil {
		return nil, err
	}
	s.ids = []*identities{ids}
	w := &World{Forces: []*Force{f}}
	w.share()
	return w, nil
}

// typeOf matches an existing unit's type to the simulator's kinds.
func typeOf(name string) unitType {
	for _, t := range unitTypes {
		if t.name == name {
			return t
		}
	}
	return unitTypes[0]
}

// targets reads each grade's urban and rural attendance targets.
func targets(fs *bluelamp.ForceSettings) map[bluelamp.Grade][2]float64 {
	out := map[bluelamp.Grade][2]float64{}
	for _, g := range fs.Grades {
		if g.UrbanTarget > 0 {
			out[g.Grade] = [2]float64{time.Duration(g.UrbanTarget).Seconds(), time.Duration(g.RuralTarget).Seconds()}
		}
	}
	return out
}

// signIn opens a session as c.
func (s *Sim) signIn(ctx context.Context, c Credentials) (*client, error) {
	a := newClient(s.base, s.tr, s.cfg.Timeout, nil, nil, c.Username)
	if err := a.call(ctx, "", "POST", "/api/v1/session", map[string]string{"username": c.Username, "password": c.Password}, nil, time.Time{}); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", c.Username, err)
	}
	return a, nil
}

// makeIdentities gives the run a token for a call handler, a controller
// and a supervisor of the force (creating users where none exists, or
// always when create is set), and one for the vehicle trackers and
// mobile data terminals, which send as the controller does.
func (s *Sim) makeIdentities(ctx context.Context, admin *client, f *Force, create bool) (*identities, error) {
	expires := time.Now().Add(s.cfg.Duration + 24*time.Hour)
	users := map[bluelamp.Role]bluelamp.UserID{}
	token := func(role bluelamp.Role, name string) (*client, error) {
		id, ok := users[role]
		if !ok {
			var err error
			if id, err = s.userFor(ctx, admin, f, role, create); err != nil {
				return nil, err
			}
			users[role] = id
		}
		var out struct{ Secret string }
		body := map[string]any{"user_id": id, "name": "bluelamp simulate: " + name, "expires_at": expires}
		if err := admin.call(ctx, "", "POST", "/api/v1/tokens", body, &out, time.Time{}); err != nil {
			return nil, fmt.Errorf("token for %s: %w", name, err)
		}
		return s.anon.with(out.Secret, string(f.ID)+" "+name), nil
	}
	var ids identities
	var err error
	if ids.handler, err = token(bluelamp.RoleCallHandler, "call handler"); err != nil {
		return nil, err
	}
	if ids.controller, err = token(bluelamp.RoleController, "controller"); err != nil {
		return nil, err
	}
	if ids.supervisor, err = token(bluelamp.RoleSupervisor, "supervisor"); err != nil {
		return nil, err
	}
	if ids.trackers, err = token(bluelamp.RoleController, "trackers and terminals"); err != nil {
		return nil, err
	}
	return &ids, nil
}

// userFor finds an enabled user of the force holding role, or creates one.
func (s *Sim) userFor(ctx context.Context, admin *client, f *Force, role bluelamp.Role, create bool) (bluelamp.UserID, error) {
	if !create {
		var list struct{ Users []bluelamp.User }
		q := url.Values{"role": {string(role)}, "disabled": {"false"}, "limit": {"10"}}
		// Listing users reads personal data: it is audited, with a reason.
		if err := admin.call(ctx, "", "GET", "/api/v1/users?"+q.Encode(), nil, &list, time.Time{},
			"Bluelamp-Reason", "ADMIN", "Bluelamp-Justification", "bluelamp simulate: choosing the users a simulation acts as"); err != nil {
			return 0, fmt.Errorf("find a %s: %w", role, err)
		}
		for _, u := range list.Users {
			if !u.Disabled && slices.Contains(u.Roles, role) {
				return u.ID, nil
			}
		}
	}
	var u bluelamp.User
	body := map[string]any{"username": string(f.ID) + "." + string(role), "display_name": "Simulated " + role.Label(),
		"roles": []bluelamp.Role{role}, "password": secret()}
	if err := admin.call(ctx, "", "POST", "/api/v1/users", body, &u, time.Time{}); err != nil {
		if isStatus(err, 409) && !create {
			return 0, fmt.Errorf("no enabled %s in force %s, and making one failed: %w", role, f.ID, err)
		}
		return 0, fmt.Errorf("create a %s: %w", role, err)
	}
	return u.ID, nil
}

// bringOnDuty books the on-duty units on (status 2, available) and sends
// each one's first fix, so the dispatch index knows where they are
// before the first call. None of it is measured.
func (s *Sim) bringOnDuty(ctx context.Context) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, fr := range s.forces {
		sem := make(chan struct{}, 8)
		for _, ur := range fr.units {
			if !ur.book {
				continue
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				path := "/api/v1/units/" + strconv.FormatInt(int64(ur.u.ID), 10) + "/status"
				if err := fr.ids.trackers.call(ctx, "", "POST", path, map[string]string{"code": "2"}, nil, time.Time{}); err != nil {
					mu.Lock()
					first = cmpErr(first, fmt.Errorf("book on %s: %w", ur.u.CallSign, err))
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return first
}
