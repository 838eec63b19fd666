<%@ WebService Language="C#" Class="pfwssdk.PfWsSdk" %>
