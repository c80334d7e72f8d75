// Package archtest holds the test that keeps chatdesk's layers apart: the
// deciding packages know nothing of Twitch, configuration or each other, the
// question detector they share leans only on the chat vocabulary, the chat
// vocabulary depends on nothing, the config checker stands alone, and viper
// stays in cmd/.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	twitchIRC = "github.com/gempir/go-twitch-irc"
	viper     = "github.com/spf13/viper"
	goRedis   = "github.com/redis/go-redis"
)

// deciders are the packages that decide what to do about a message. They
// must not know how chat reaches them or how they are configured, nor lean
// on each other.
var deciders = []string{"internal/answer", "internal/moderation", "internal/escalation"}

// pkg is one directory of Go files in the module.
type pkg struct {
	dir string // slash-separated, relative to the module root
	// imports by the package's own files and by its tests, each mapped to
	// the first file that imports it.
	imports     map[string]string
	testImports map[string]string
}

// module reads the import lists of every package in the module.
type module struct {
	path string // the module path from go.mod
	pkgs map[string]*pkg
}

func loadModule(t *testing.T) *module {
	t.Helper()
	root := filepath.Join("..", "..")
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := &module{pkgs: map[string]*pkg{}}
	for _, line := range strings.Split(string(gomod), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			m.path = strings.Trim(strings.TrimSpace(p), `"`)
		}
	}
	if m.path == "" {
		t.Fatal("go.mod names no module")
	}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			// The go tool ignores these too.
			if p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pk := m.pkgs[dir]
		if pk == nil {
			pk = &pkg{dir: dir, imports: map[string]string{}, testImports: map[string]string{}}
			m.pkgs[dir] = pk
		}
		into := pk.imports
		if strings.HasSuffix(name, "_test.go") {
			into = pk.testImports
		}
		for _, is := range f.Imports {
			ip, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return err
			}
			if _, seen := into[ip]; !seen {
				into[ip] = path.Join(dir, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// local returns the module-relative directory of an import path inside the
// module, and whether it is one.
func (m *module) local(importPath string) (string, bool) {
	if importPath == m.path {
		return ".", true
	}
	return strings.CutPrefix(importPath, m.path+"/")
}

// deps returns every import the package at dir reaches through its own
// (non-test) files, directly or through other packages of the module,
// mapped to the chain of packages that leads to it.
func (m *module) deps(dir string) map[string][]string {
	out := map[string][]string{}
	var visit func(dir string, via []string)
	visit = func(dir string, via []string) {
		pk := m.pkgs[dir]
		if pk == nil {
			return
		}
		for ip := range pk.imports {
			if _, seen := out[ip]; seen {
				continue
			}
			chain := append(slices.Clone(via), ip)
			out[ip] = chain
			if d, ok := m.local(ip); ok {
				visit(d, chain)
			}
		}
	}
	visit(dir, []string{m.path + "/" + dir})
	return out
}

func isUnder(importPath, prefix string) bool {
	return importPath == prefix || strings.HasPrefix(importPath, prefix+"/")
}

// TestDecidersStayApart: internal/answer, internal/moderation and
// internal/escalation (those that exist) import neither go-twitch-irc nor
// viper nor one another, not even through another package of the module.
func TestDecidersStayApart(t *testing.T) {
	m := loadModule(t)
	if m.pkgs["internal/answer"] == nil {
		t.Fatal("internal/answer not found; is the test looking at the right tree?")
	}
	for _, dir := range deciders {
		if m.pkgs[dir] == nil {
			continue // not written yet
		}
		t.Run(dir, func(t *testing.T) {
			forbidden := []string{twitchIRC, viper}
			for _, other := range deciders {
				if other != dir {
					forbidden = append(forbidden, m.path+"/"+other)
				}
			}
			for ip, chain := range m.deps(dir) {
				for _, bad := range forbidden {
					if isUnder(ip, bad) {
						t.Errorf("%s imports %s (via %s); want it to stay out", dir, ip, strings.Join(chain, " → "))
					}
				}
			}
		})
	}
}

// TestQuestionReadsOnlyChat: internal/question runs on every message before
// any stage, and the answer and escalation stages both import it, so it
// leans on nothing but the chat vocabulary and the standard library: not on
// the stages that use it, nor on Twitch, Redis or configuration.
func TestQuestionReadsOnlyChat(t *testing.T) {
	m := loadModule(t)
	const dir = "internal/question"
	if m.pkgs[dir] == nil {
		t.Fatal("internal/question not found")
	}
	forbidden := []string{twitchIRC, viper, goRedis}
	for _, other := range []string{"internal/answer", "internal/escalation", "internal/moderation", "internal/router", "internal/twitch"} {
		forbidden = append(forbidden, m.path+"/"+other)
	}
	deps := m.deps(dir)
	for _, ip := range slices.Sorted(maps.Keys(deps)) {
		via := strings.Join(deps[ip], " → ")
		if slices.ContainsFunc(forbidden, func(bad string) bool { return isUnder(ip, bad) }) {
			t.Errorf("%s imports %s (via %s); want it to stay out", dir, ip, via)
			continue
		}
		if ip != m.path+"/internal/chat" && !isStd(ip) {
			t.Errorf("%s imports %s (via %s); want only internal/chat and the standard library", dir, ip, via)
		}
	}
}

// isStd reports whether importPath is in the standard library, whose paths
// have no dot in their first element.
func isStd(importPath string) bool {
	first, _, _ := strings.Cut(importPath, "/")
	return !strings.Contains(first, ".")
}

// TestChatImportsNoInternal: internal/chat is the vocabulary every other
// package speaks, so it must depend on none of them.
func TestChatImportsNoInternal(t *testing.T) {
	m := loadModule(t)
	chat := m.pkgs["internal/chat"]
	if chat == nil {
		t.Fatal("internal/chat not found")
	}
	for ip, file := range chat.imports {
		if _, ok := m.local(ip); ok {
			t.Errorf("%s imports %s; want internal/chat to import no other package of the module", file, ip)
		}
	}
}

// TestConfigcheckStandsAlone: internal/configcheck checks any program's
// config against the struct it is read into, so it knows none of
// chatdesk's packages (the sections are passed in, not imported) and
// leans only on the standard library and yaml.v3; a config reader such as
// viper stays with the program that uses it.
func TestConfigcheckStandsAlone(t *testing.T) {
	m := loadModule(t)
	const dir = "internal/configcheck"
	pk := m.pkgs[dir]
	if pk == nil {
		t.Fatal("internal/configcheck not found")
	}
	for _, imports := range []map[string]string{pk.imports, pk.testImports} {
		for ip, file := range imports {
			if _, ok := m.local(ip); ok {
				t.Errorf("%s imports %s; want internal/configcheck to import no other package of the module", file, ip)
			}
		}
	}
	for ip, file := range pk.imports {
		if !isStd(ip) && ip != "gopkg.in/yaml.v3" {
			t.Errorf("%s imports %s; want only the standard library and gopkg.in/yaml.v3", file, ip)
		}
	}
}

// TestViperOnlyInCmd: configuration is read in cmd/ and handed down as typed
// values; nothing under internal/ (tests included) reads it with viper.
func TestViperOnlyInCmd(t *testing.T) {
	m := loadModule(t)
	for dir, pk := range m.pkgs {
		if dir == "cmd" || strings.HasPrefix(dir, "cmd/") {
			continue
		}
		for _, imports := range []map[string]string{pk.imports, pk.testImports} {
			for ip, file := range imports {
				if isUnder(ip, viper) {
					t.Errorf("%s imports %s; want viper only under cmd/", file, ip)
				}
			}
		}
	}
}

// TestTheseRulesCanFail checks the checker on a made-up module, so a bug in
// it cannot pass every tree.
func TestTheseRulesCanFail(t *testing.T) {
	m := &module{path: "example.com/x", pkgs: map[string]*pkg{
		"internal/answer": {imports: map[string]string{"example.com/x/internal/glue": "a.go"}},
		"internal/glue":   {imports: map[string]string{twitchIRC + "/v4": "g.go", "example.com/x/internal/moderation": "g.go"}},
	}}
	deps := m.deps("internal/answer")
	for _, want := range []string{twitchIRC + "/v4", "example.com/x/internal/moderation"} {
		if _, ok := deps[want]; !ok {
			t.Errorf("deps(internal/answer) = %v; want it to reach %s through internal/glue", deps, want)
		}
	}
	if got := deps[twitchIRC+"/v4"]; len(got) != 3 {
		t.Errorf("chain to go-twitch-irc = %v; want answer → glue → go-twitch-irc", got)
	}
	if !isStd("unicode/utf8") || isStd("github.com/chatdesk/chatdesk/internal/chat") {
		t.Error("isStd tells the standard library by the first path element")
	}
	if !isUnder(twitchIRC+"/v4", twitchIRC) || isUnder("github.com/spf13/viperish", viper) {
		t.Error("isUnder matches by path element, not by string prefix")
	}
}
