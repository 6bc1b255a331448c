-- Drives the packaged sidecar from Neovim's own JSON-RPC client (vim.lsp.rpc), written as a
-- Neovim user would write it: Lua tables for params ({} is sent as []), vim.NIL for absent
-- params. Every step is one JSON line on stdout for the test; the session stays connected
-- until the file named by KB_DISCONNECT appears.
local rpc = vim.lsp.rpc
local env = vim.env

local function emit(event, value)
  io.stdout:write(vim.json.encode({ event = event, value = value == nil and vim.NIL or value }) .. '\n')
  io.stdout:flush()
end

local progress = {}
local changes = {}
local exited
local client = rpc.start(env.KB_EXE, { 'serve', '--stdio', '--kubeconfig', env.KB_KUBECONFIG }, {
  notification = function(method, params)
    if method == '$/progress' then
      table.insert(progress, params.token .. ':' .. params.value.kind)
    elseif method == 'session/didChangeState' then
      table.insert(changes, params.change)
    end
  end,
  server_request = function()
    return nil, rpc.rpc_response_error(vim.lsp.protocol.ErrorCodes.MethodNotFound)
  end,
  on_exit = function(code, signal)
    exited = { code = code, signal = signal }
  end,
  on_error = function(kind, err)
    emit('clientError', { kind = kind, err = tostring(err) })
  end,
})

local function call(method, params, ms)
  local done, answer = false, nil
  client.request(method, params, function(err, result)
    -- nil (a null result, no error) would vanish from the table: vim.NIL keeps the key.
    answer = { error = err or vim.NIL, result = result == nil and vim.NIL or result }
    done = true
  end)
  if not vim.wait(ms or 60000, function() return done end, 50) then
    error(method .. ' got no answer')
  end
  emit(method, answer)
  return answer
end

local function run()
  call('initialize', {
    processId = vim.fn.getpid(),
    clientInfo = { name = 'Neovim' },
    capabilities = {},
    cluster = { namespace = env.KB_NAMESPACE },
  })
  client.notify('initialized', {})
  call('cluster/services', { namespace = env.KB_NAMESPACE, workDoneToken = 'services' })
  local connected = call('session/connect', {
    workDoneToken = 'connect',
    targets = { { service = env.KB_SERVICE, localPort = tonumber(env.KB_LOCAL_PORT) } },
  }, 180000)
  if connected.result then
    if not vim.wait(240000, function() return vim.loop.fs_stat(env.KB_DISCONNECT) ~= nil end, 200) then
      emit('gaveUpWaiting', true)
    end
    call('session/disconnect', vim.empty_dict(), 180000)
  end
  call('shutdown', vim.NIL)
  client.notify('exit', vim.NIL)
  vim.wait(30000, function() return exited ~= nil end, 50)
  emit('notifications', { progress = progress, changes = changes })
  emit('exited', exited or { code = vim.NIL })
end

local ok, err = pcall(run)
if not ok then
  emit('luaError', tostring(err))
  vim.cmd('cquit 1')
end
vim.cmd('qall!')
