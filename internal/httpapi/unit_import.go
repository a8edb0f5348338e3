package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// unitCreateRequest is a new unit. It starts off duty with no position:
// its crew sends a status and its tracker or phone a position.
type unitCreateRequest struct {
	CallSign  string               `json:"call_sign"`
	Type      string               `json:"type"`
	StationID bluelamp.StationID   `json:"station_id"`
	Crew      []string             `json:"crew"`
	Skills    []bluelamp.UnitSkill `json:"skills"`
	DeviceID  string               `json:"device_id"`
}

func (in *unitCreateRequest) unit() *bluelamp.Unit {
	return &bluelamp.Unit{CallSign: in.CallSign, Type: in.Type, StationID: in.StationID, Crew: in.Crew, Skills: in.Skills, DeviceID: in.DeviceID}
}

// handleUnitCreate adds a unit to the caller's force.
func (s *Server) handleUnitCreate(w http.ResponseWriter, r *http.Request) error {
	var req unitCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u := req.unit()
	if err := s.Store.CreateUnit(r.Context(), u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

// MaxUnitImportBody is the largest unit import accepted: 4 MiB, room for
// MaxUnitImport fully crewed units.
const MaxUnitImportBody = 4 << 20

// unitImportRequest is units to create together.
type unitImportRequest struct {
	Units []json.RawMessage `json:"units"`
}

// unitImportProblem is the 422 answer to a unit import with bad rows.
type unitImportProblem struct {
	Problem
	Rows []bluelamp.UnitRowError `json:"rows"`
}

// handleUnitImport creates units in one transaction: every unit is checked
// first, and a bad one refuses them all with 422 naming each bad row
// (its place in units, from 1) and field.
func (s *Server) handleUnitImport(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia, Message: "send the body as Content-Type: application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxUnitImportBody))
	if err != nil {
		return bodyError(err)
	}
	var req unitImportRequest
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	switch n := len(req.Units); {
	case n == 0:
		return bluelamp.InvalidFields(map[string]string{"units": "must hold at least one unit"})
	case n > bluelamp.MaxUnitImport:
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "too_many_rows",
			Message: fmt.Sprintf("the import holds %d units; at most %d may be created at once: split it", n, bluelamp.MaxUnitImport)}
	}
	units, parsed := parseUnitRows(req.Units)
	err = s.Store.CreateUnits(r.Context(), units)
	if ie, ok := errors.AsType[*bluelamp.UnitImportError](err); ok {
		return writeRowsProblem(w, unitImportProblem{Problem: rowsProblem(r,
			fmt.Sprintf("%d of the %d units are invalid; none was created. Each is listed with its row (its place in units, from 1) and what is wrong.",
				len(ie.Rows), len(units))), Rows: mergeUnitRows(parsed, ie.Rows)})
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"units": units})
}

// parseUnitRows decodes each unit on its own, so a unit that does not
// decode is one bad row and the rest are still checked. Such a unit is
// given to the store as nil, which the store refuses, so nothing is
// written; its row says why it did not decode.
func parseUnitRows(raws []json.RawMessage) ([]*bluelamp.Unit, map[int]map[string]string) {
	units := make([]*bluelamp.Unit, len(raws))
	parsed := map[int]map[string]string{}
	for i, raw := range raws {
		var in unitCreateRequest
		if err := decodeBody(raw, &in); err != nil {
			fields := map[string]string{"unit": bluelamp.MessageOf(err)}
			if e, ok := errors.AsType[*bluelamp.Error](err); ok && len(e.Fields) > 0 {
				fields = maps.Clone(e.Fields)
			}
			if msg, ok := fields["body"]; ok {
				// The decoder's name for the whole value: here, the unit.
				delete(fields, "body")
				fields["unit"] = msg
			}
			parsed[i+1] = fields
			continue
		}
		units[i] = in.unit()
	}
	return units, parsed
}

// mergeUnitRows puts the decoding errors in place of the store's refusal
// of the rows that did not decode.
func mergeUnitRows(parsed map[int]map[string]string, stored []bluelamp.UnitRowError) []bluelamp.UnitRowError {
	out := slices.Clone(stored)
	for i := range out {
		if fields, ok := parsed[out[i].Row]; ok {
			out[i].Errors = fields
		}
	}
	return out
}
