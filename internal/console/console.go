// Package console serves bluelamp's HTML pages: sign-in (password and OIDC),
// sign-out, the signed-in home page and the command-and-control console
// (new call, controller console, unit board, map, major incidents). Pages
// are html/template from an embedded FS, first rendered from the store and
// then kept live by small ES modules reading the event stream; static files
// are embedded and served under content-hash URLs.
package console

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the console needs of the store: the pages' first render
// reads it; every change goes through the JSON API.
type Store interface {
	FindSelf(ctx context.Context) (*bluelamp.User, error)
	FindForceByID(ctx context.Context, id bluelamp.ForceID) (*bluelamp.Force, error)
	EndSession(ctx context.Context, id string) error

	FindHead(ctx context.Context) (bluelamp.Head, error)
	FindForceSettings(ctx context.Context) (*bluelamp.ForceSettings, error)
	FindStations(ctx context.Context) ([]*bluelamp.Station, error)
	FindUnits(ctx context.Context) ([]*bluelamp.Unit, error)
	FindIncidents(ctx context.Context, f bluelamp.IncidentFilter) ([]*bluelamp.Incident, int, error)
	FindIncidentByID(ctx context.Context, id bluelamp.IncidentID) (*bluelamp.Incident, error)
	FindMajorIncident(ctx context.Context, id bluelamp.IncidentID) (*bluelamp.MajorIncidentView, error)
}

// Console serves the pages. Set the fields, then call Handler.
type Console struct {
	Store   Store
	Auth    *auth.Authenticator
	OIDC    *auth.OIDC // nil or not Enabled: password sign-in only
	Logger  *slog.Logger
	Version string

	// TileURL is the map tile server, a Leaflet URL template such as
	// https://tile.example/{z}/{x}/{y}.png. Empty means no tiles: the map
	// draws the force area, towns and stations on a plain background, which
	// works offline.
	TileURL string
	// TileAttribution is the credit the tile server's licence asks for.
	TileAttribution string
	// Now is the clock attendance countdowns are first rendered against;
	// time.Now when nil.
	Now func() time.Time

	tmpl   *template.Template
	static map[string]string // path under static/ → content-hash URL
	csp    string
}

// Handler parses the templates and returns the console's handler, wrapped in
// cross-origin protection so no other site can post a form to it.
func (c *Console) Handler() http.Handler {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	static, err := staticURLs()
	if err != nil {
		panic(err) // the files are embedded: only a broken build gets here
	}
	c.static = static
	c.csp = contentSecurityPolicy(c.TileURL)
	funcs := template.FuncMap{
		"static":    c.staticURL,
		"roleLabel": func(r bluelamp.Role) string { return r.Label() },
	}
	maps.Copy(funcs, viewFuncs)
	c.tmpl = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	return http.NewCrossOriginProtection().Handler(c.routes())
}
