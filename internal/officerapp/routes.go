package officerapp

import "net/http"

// shells are the app's pages: each an app shell with no user data, so the
// service worker precaches every one of them. The key is the path under
// Prefix, the value the template.
var shells = []struct {
	path, template, title string
}{
	{"", "home.html", "My unit"},
	{"signin", "signin.html", "Sign in"},
	{"book-on", "bookon.html", "Book on"},
	{"jobs", "jobs.html", "Recent jobs and actions"},
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	for _, s := range shells {
		p := page{Title: s.title, Name: s.path}
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
