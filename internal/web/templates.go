package web

import (
	"fmt"
	"html/template"
	"time"
)

// pageFiles are each page's templates beside the layout.
var pageFiles = map[string][]string{
	"error":        {"layout.html", "error.html"},
	"home":         {"layout.html", "home.html"},
	"kb":           {"layout.html", "kb.html"},
	"suggest":      {"layout.html", "suggest.html"},
	"improvements": {"layout.html", "improvements.html"},
	"login":        {"layout.html", "login.html"},
	"deskhome":     {"layout.html", "deskhome.html"},
	"desk":         {"layout.html", "desk.html", "queue.html"},
	"faq":          {"layout.html", "faq.html"},
	// The queue alone, which the desk's script swaps in on a change.
	"queue": {"fragment.html", "queue.html"},
}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02")
		},
		"clock":   func(t time.Time) string { return t.UTC().Format("15:04 UTC") },
		"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	}
	pages := map[string]*template.Template{}
	for name, files := range pageFiles {
		paths := make([]string, len(files))
		for i, f := range files {
			paths[i] = "templates/" + f
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, paths...)
		if err != nil {
			return nil, fmt.Errorf("web desk: parse %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}
