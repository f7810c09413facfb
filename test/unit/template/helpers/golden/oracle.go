// The consul-template oracle for ctmpl's helper tests: reads a JSON list of requests on stdin and
// answers each with what consul-template v0.42.1 itself gives (its template package, no Consul).
// Built and run by generate.ts; not part of ctmpl.
//
//	{"template": "{{ printf \"%5d\" 42 }}"}       → {"output": "   42"} or {"error": "..."}
//	{"unixMilli": 1136214245999, "layout": "..."} → {"output": time.Format(layout)} (UTC), as timestamp does
package main

import (
	"encoding/json"
	"os"
	"time"

	"github.com/hashicorp/consul-template/template"
)

type request struct {
	Template  *string `json:"template,omitempty"`
	UnixMilli *int64  `json:"unixMilli,omitempty"`
	Layout    string  `json:"layout,omitempty"`
}

type answer struct {
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

func render(text string) answer {
	t, err := template.NewTemplate(&template.NewTemplateInput{Contents: text})
	if err != nil {
		msg := err.Error()
		return answer{Error: &msg}
	}
	r, err := t.Execute(&template.ExecuteInput{Brain: template.NewBrain(), Env: []string{}})
	if err != nil {
		msg := err.Error()
		return answer{Error: &msg}
	}
	out := string(r.Output)
	return answer{Output: &out}
}

func main() {
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		panic(err)
	}
	answers := make([]answer, 0, len(requests))
	for _, req := range requests {
		switch {
		case req.Template != nil:
			answers = append(answers, render(*req.Template))
		case req.UnixMilli != nil:
			out := time.UnixMilli(*req.UnixMilli).UTC().Format(req.Layout)
			answers = append(answers, answer{Output: &out})
		default:
			panic("empty request")
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(answers); err != nil {
		panic(err)
	}
}
