package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsTerminal(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "input.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()

	tests := []struct {
		name string
		r    any
		want bool
	}{
		// /dev/null is a character device, as a terminal is; it is not one.
		{"/dev/null", devNull, false},
		{"regular file", file, false},
		{"pipe", pr, false},
		{"not a file", strings.NewReader("ana: hi\n"), false},
	}
	// The master side of a pseudo-terminal is a terminal, where there is one.
	if ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0); err == nil {
		defer ptmx.Close()
		tests = append(tests, struct {
			name string
			r    any
			want bool
		}{"pseudo-terminal", ptmx, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTerminal(tt.r); got != tt.want {
				t.Errorf("isTerminal(%s) = %v; want %v", tt.name, got, tt.want)
			}
		})
	}
}

// TestRunFromDevNullIsNotInteractive: `bot run < /dev/null` reads no chat
// and does not greet a person who is not there.
func TestRunFromDevNullIsNotInteractive(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	var stdout, stderr bytes.Buffer
	env := append([]string{"CHATDESK_HTTP_ADDR="}, offline...)
	a := &app{env: env, stdin: devNull, stdout: &stdout, stderr: &stderr}
	if err := a.execute(context.Background(), []string{"run", "--config", shippedConfig}); err != nil {
		t.Fatalf("run < /dev/null: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "chatdesk console") {
		t.Errorf("run < /dev/null greeted a terminal user:\n%s", stderr.String())
	}
}
