package officerapp

import "net/http"

// shells are the app's pages: each an app shell with no user data, so the
// service worker precaches every one of them. The key is the path under
// Prefix, the value the template.
var shells = []struct {
	path, template, title string
	public                bool // for anyone: no sign-in, no app navigation
}{
	{path: "", template: "home.html", title: "My unit"},
	{path: "signin", template: "signin.html", title: "Sign in", public: true},
	{path: "book-on", template: "bookon.html", title: "Book on"},
	{path: "jobs", template: "jobs.html", title: "Recent jobs and actions"},
	{path: "check", template: "check.html", title: "Check a person, vehicle or place"},
	{path: "forms", template: "forms.html", title: "Forms"},
	{path: "forms/stop-search", template: "stopsearch.html", title: "Stop and search"},
	{path: "forms/crime", template: "crime.html", title: "Crime report"},
	{path: "forms/use-of-force", template: "useofforce.html", title: "Use of force"},
	{path: "forms/exhibit", template: "exhibit.html", title: "Exhibit"},
	{path: "forms/referral", template: "referral.html", title: "Safeguarding referral"},
	{path: "notebook", template: "notebook.html", title: "Pocket notebook"},
	// The page a stop-search receipt's QR code opens, for the person
	// searched.
	{path: "receipt", template: "receipt.html", title: "Stop and search receipt", public: true},
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	for _, s := range shells {
		p := page{Title: s.title, Name: s.path, Public: s.public}
		if s.path == "" {
			p.Name = "home"
		}
		mux.HandleFunc("GET "+Prefix+s.path+suffix(s.path), func(w http.ResponseWriter, r *http.Request) {
			a.render(w, r, http.StatusOK, s.template, p)
		})
	}
	mux.HandleFunc("GET "+Prefix+"sw.js", a.handleServiceWorker)
	mux.HandleFunc("GET "+Prefix+"manifest.webmanifest", a.handleManifest)
	mux.HandleFunc("GET "+Prefix+"static/{hash}/{name...}", a.handleStatic)
	mux.HandleFunc(Prefix, a.handleNotFound)
	return mux
}

// suffix makes the home page's pattern match only /app/ itself.
func suffix(path string) string {
	if path == "" {
		return "{$}"
	}
	return ""
}
