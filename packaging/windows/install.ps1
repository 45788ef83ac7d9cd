# packaging/windows/install.ps1 - per-user install of the PostGuard host on Windows, without the
# MSI and without administrator rights: copies the host, CLI, rules and manifests to
# %LOCALAPPDATA%\PostGuard and registers the host under HKCU for Chrome, Chromium, Edge, Firefox.
#
# Usage (PowerShell, from the source tree, after a Release build with CMake):
#   powershell -ExecutionPolicy Bypass -File packaging\windows\install.ps1 [-BinDir build\Release]
#   powershell -ExecutionPolicy Bypass -File packaging\windows\install.ps1 -Uninstall
# A clinic installs the MSI instead (postguard.wxs, HKLM keys); see docs/deployment.md.
[CmdletBinding()]
param(
    [string]$BinDir = "build\Release",
    [string]$RulesDir = "rules",
    [string]$InstallDir = (Join-Path $env:LOCALAPPDATA "PostGuard"),
    [switch]$Uninstall
)
$ErrorActionPreference = "Stop"

$Version = "0.1.0"
$HostName = "ca.postguard.host"
$ExtensionId = "gkfbpcjpnomknlhmihjkfgokmbldcppa"
$FirefoxId = "postguard@postguard.ca"
$ManifestSource = $PSScriptRoot

# Per-user registry keys each browser reads; the default value is the manifest's full path.
$Keys = [ordered]@{
    "Chrome"   = @{ Key = "HKCU:\Software\Google\Chrome\NativeMessagingHosts\$HostName";    Manifest = "$HostName.chromium.json" }
    "Chromium" = @{ Key = "HKCU:\Software\Chromium\NativeMessagingHosts\$HostName";         Manifest = "$HostName.chromium.json" }
    "Edge"     = @{ Key = "HKCU:\Software\Microsoft\Edge\NativeMessagingHosts\$HostName";   Manifest = "$HostName.chromium.json" }
    "Firefox"  = @{ Key = "HKCU:\Software\Mozilla\NativeMessagingHosts\$HostName";          Manifest = "$HostName.firefox.json" }
}

function Remove-PostGuard {
    foreach ($browser in $Keys.Keys) {
        $key = $Keys[$browser].Key
        if (Test-Path $key) { Remove-Item -Path $key -Recurse -Force; Write-Host "removed $key" }
    }
    if (Test-Path $InstallDir) { Remove-Item -Path $InstallDir -Recurse -Force; Write-Host "removed $InstallDir" }
    Write-Host "PostGuard $Version is uninstalled for $env:USERNAME."
}

if ($Uninstall) { Remove-PostGuard; exit 0 }

foreach ($exe in "postguard-host.exe", "postguard.exe") {
    if (-not (Test-Path (Join-Path $BinDir $exe))) {
        Write-Error "FAILED: $exe is not in $BinDir. Build first: cmake -B build; cmake --build build --config Release"
    }
}
if (-not (Test-Path (Join-Path $RulesDir "pack.json"))) {
    Write-Error "FAILED: no rule pack at $RulesDir (run this from the source tree, or pass -RulesDir)"
}

New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
Copy-Item (Join-Path $BinDir "postguard-host.exe") $InstallDir -Force
Copy-Item (Join-Path $BinDir "postguard.exe") $InstallDir -Force
$rulesTarget = Join-Path $InstallDir "rules"
if (Test-Path $rulesTarget) { Remove-Item $rulesTarget -Recurse -Force }
Copy-Item $RulesDir $rulesTarget -Recurse -Exclude "README.md"
# The manifests name postguard-host.exe relative to their own folder (allowed on Windows).
Copy-Item (Join-Path $ManifestSource "$HostName.chromium.json") $InstallDir -Force
Copy-Item (Join-Path $ManifestSource "$HostName.firefox.json") $InstallDir -Force

foreach ($browser in $Keys.Keys) {
    $key = $Keys[$browser].Key
    $manifest = Join-Path $InstallDir $Keys[$browser].Manifest
    New-Item -Path $key -Force | Out-Null
    Set-ItemProperty -Path $key -Name "(default)" -Value $manifest
    Write-Host "$browser`: $key -> $manifest"
}

Write-Host ""
Write-Host "PostGuard $Version host installed in $InstallDir for $env:USERNAME (extension id $ExtensionId, Firefox $FirefoxId)."
Write-Host "Load the extension: chrome://extensions or edge://extensions -> Developer mode -> Load unpacked -> the extension folder."
Write-Host "To remove: powershell -ExecutionPolicy Bypass -File packaging\windows\install.ps1 -Uninstall"
