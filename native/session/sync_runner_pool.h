// The SyncRunners a session lends to its async runs (StagedRunPlan), one per run in flight.
// Shared (shared_ptr) by the session's wrapper and the runs, since a run may outlive the wrapper.
// JS-thread only: runners are taken when a run is prepared and given back when its job is
// destroyed after completing, both on the JS thread, so no lock is needed.
#pragma once

#include <memory>
#include <vector>

#include "session/sync_runner.h"

namespace inferline {

class SyncRunnerPool {
 public:
  // A runner of this pool's, or a new one. The most recently returned comes first: a lone
  // caller keeps getting the runner that already holds its input and output OrtValues.
  std::unique_ptr<SyncRunner> Take() {
    if (idle_.empty()) return std::make_unique<SyncRunner>("run");
    std::unique_ptr<SyncRunner> runner = std::move(idle_.back());
    idle_.pop_back();
    return runner;
  }

  // Keeps at most kMaxIdle: past a burst of concurrent runs, the extra runners are freed.
  void Return(std::unique_ptr<SyncRunner> runner) {
    runner->Clear();
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(runner));
  }

  static constexpr size_t kMaxIdle = 64;

 private:
  std::vector<std::unique_ptr<SyncRunner>> idle_;
};

}  // namespace inferline
