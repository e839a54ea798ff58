// Names a tensor in error messages, e.g. `Session "det.onnx" input "x"`. The text is only built
// when a message needs it: the success path of a run must not allocate strings.
#pragma once

#include <string>

namespace inferline {

struct ValueContext {
  const std::string& session_label;
  const char* kind;  // "input" or "output"
  const std::string& name;

  std::string Text() const { return "Session \"" + session_label + "\" " + kind + " \"" + name + "\""; }
};

}  // namespace inferline
