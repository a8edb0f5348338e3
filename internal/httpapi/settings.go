package httpapi

import (
	"net/http"

	"github.com/bluelamp/bluelamp"
)

func (s *Server) handleSettingsGet(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Store.FindForceSettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listsNotNull(fs))
}

// handleSettingsPut replaces the caller's force's command-and-control
// settings; the store validates them whole.
func (s *Server) handleSettingsPut(w http.ResponseWriter, r *http.Request) error {
	var fs bluelamp.ForceSettings
	if err := decodeJSON(r, &fs); err != nil {
		return err
	}
	if err := s.Store.SaveForceSettings(r.Context(), listsNotNull(&fs)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &fs)
}

// listsNotNull gives fs's absent lists as empty ones, so they read as []
// rather than null.
func listsNotNull(fs *bluelamp.ForceSettings) *bluelamp.ForceSettings {
	fs.Grades, fs.StatusCodes, fs.Skills = nonNilSlice(fs.Grades), nonNilSlice(fs.StatusCodes), nonNilSlice(fs.Skills)
	fs.Area.Boundary, fs.Area.Urban = nonNilSlice(fs.Area.Boundary), nonNilSlice(fs.Area.Urban)
	return fs
}

// unitStateInfo is a canonical unit state as forms show it.
type unitStateInfo struct {
	Code  bluelamp.UnitState `json:"code"`
	Label string             `json:"label"`
}

// codesResponse is every code a command-and-control form offers: the
// national lists and the force's own grades, status codes and skills.
type codesResponse struct {
	Categories           []bluelamp.CategoryInfo  `json:"categories"`
	Qualifiers           []bluelamp.QualifierInfo `json:"qualifiers"`
	Results              []bluelamp.ResultInfo    `json:"results"`
	Channels             []bluelamp.ChannelInfo   `json:"channels"`
	HarmTypes            []string                 `json:"harm_types"`
	VulnerabilityFactors []string                 `json:"vulnerability_factors"`
	UnitStates           []unitStateInfo          `json:"unit_states"`
	Grades               []bluelamp.GradeSetting  `json:"grades"`
	StatusCodes          []bluelamp.StatusCode    `json:"status_codes"`
	Skills               []bluelamp.SkillInfo     `json:"skills"`
}

func (s *Server) handleCodes(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Store.FindForceSettings(r.Context())
	if err != nil {
		return err
	}
	listsNotNull(fs)
	states := make([]unitStateInfo, len(bluelamp.UnitStates))
	for i, st := range bluelamp.UnitStates {
		states[i] = unitStateInfo{Code: st, Label: st.Label()}
	}
	return writeJSON(w, http.StatusOK, codesResponse{
		Categories: bluelamp.Categories, Qualifiers: bluelamp.Qualifiers, Results: bluelamp.Results, Channels: bluelamp.Channels,
		HarmTypes: bluelamp.HarmTypes, VulnerabilityFactors: bluelamp.VulnerabilityFactors, UnitStates: states,
		Grades: fs.Grades, StatusCodes: fs.StatusCodes, Skills: fs.Skills,
	})
}
