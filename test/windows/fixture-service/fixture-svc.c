/*
 * A minimal Windows service for the Windows test tier: it stands for the PhoneFactor Agent and
 * MFA Server services (pfsvc.exe, MultiFactorAuthSvc.exe, MultiFactorAuthAdSyncSvc.exe are all
 * this program). It takes a moment to start and to stop, so callers must wait for the state:
 * 300 ms each, or as long as "--start-delay <ms>" on its command line says for the start (the tier
 * uses a long one to catch a service in START_PENDING).
 * Built with mingw-w64: x86_64-w64-mingw32-gcc-posix -municode -O2 -static -o svc.exe fixture-svc.c
 * Run outside the service control manager it prints a line and exits with 1.
 */
#define WIN32_LEAN_AND_MEAN
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;
static DWORD start_delay_ms = 300;

static void report(DWORD state, DWORD wait_hint) {
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  status.dwWin32ExitCode = NO_ERROR;
  status.dwWaitHint = wait_hint;
  if (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING) status.dwCheckPoint++;
  else status.dwCheckPoint = 0;
  SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID data, LPVOID context) {
  (void)type;
  (void)data;
  (void)context;
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      report(SERVICE_STOP_PENDING, 3000);
      SetEvent(stop_event);
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv) {
  /* For an own-process service the name is not checked; the one the manager passes is used. */
  status_handle = RegisterServiceCtrlHandlerExW(argc > 0 ? argv[0] : L"", handler, NULL);
  if (!status_handle) return;
  stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  report(SERVICE_START_PENDING, start_delay_ms + 3000);
  Sleep(start_delay_ms);
  report(SERVICE_RUNNING, 0);
  WaitForSingleObject(stop_event, INFINITE);
  Sleep(300);
  report(SERVICE_STOPPED, 0);
}

int wmain(int argc, wchar_t **argv) {
  for (int i = 1; i + 1 < argc; i++) {
    if (wcscmp(argv[i], L"--start-delay") == 0) start_delay_ms = (DWORD)wcstoul(argv[i + 1], NULL, 10);
  }
  SERVICE_TABLE_ENTRYW table[] = {{(LPWSTR)L"", service_main}, {NULL, NULL}};
  if (!StartServiceCtrlDispatcherW(table)) {
    fprintf(stderr, "fixture service: StartServiceCtrlDispatcherW failed (%lu); run it as a service\n", GetLastError());
    return 1;
  }
  return 0;
}
